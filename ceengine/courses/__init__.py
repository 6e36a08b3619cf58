"""Courses: the catalog, course and module pages, and the `courses` commands."""

from flask import Blueprint

bp = Blueprint("courses", __name__, cli_group="courses")

from ceengine.courses import cli, views  # noqa: E402,F401 - register routes and commands
from ceengine.courses.presenters import module_html  # noqa: E402

bp.add_app_template_global(module_html)  # course pages and their partials render modules
