"""The one form of the course pages: Next at a module's end, which marks it as done."""

from __future__ import annotations

from flask_wtf import FlaskForm


class FinishModuleForm(FlaskForm):
    """Next: mark this module as done and go on (its CSRF token is all it carries)."""
