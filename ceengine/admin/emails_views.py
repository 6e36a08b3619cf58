"""Emails: what is waiting to be sent and what failed (the outbox, ceengine/outbox/)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.outbox.queue import count_by_status, messages_failed, messages_waiting


@bp.get("/emails")
def emails() -> ResponseReturnValue:
    """Emails not sent yet (with their last error) and emails given up on."""
    return render_template(
        "admin/emails.html",
        waiting=messages_waiting(),
        failed=messages_failed(),
        counts=count_by_status(),
    )
