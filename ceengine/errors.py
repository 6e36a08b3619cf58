"""Error pages: every failure gets a page a person can understand."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ceengine.extensions import db

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    401: ("Please sign in", "This page needs you to sign in first."),
    403: ("Not allowed", "You do not have permission to see this page."),
    404: (
        "Page not found",
        "We could not find that page. Check the address or start from the course list.",
    ),
    405: ("Not allowed", "That action is not available on this page."),
    410: ("No longer available", "What you asked for is no longer available."),
    413: ("Too large", "What you sent is larger than we accept."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again in a moment.",
    ),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the error page for `code`, with an optional specific message."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _handle_http_error(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    return render_error(error.code or 500)


def _handle_unexpected(error: Exception):
    db.session.rollback()
    # Handled here, Flask would not log it: the operator needs the traceback and the request id.
    current_app.logger.error(
        "Unhandled error on %s %s (request %s)",
        request.method,
        request.path,
        g.get("request_id", "-"),
        exc_info=error,
    )
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(InternalServerError, _handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, _handle_unexpected)
