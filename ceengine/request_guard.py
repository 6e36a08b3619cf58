"""Refuse, up front and in words, what no form here can take.

A NUL character cannot be stored in PostgreSQL text, and a file sent where a form expects text
would reach its filters as a file object; either is a 400 before any view runs.
"""

from __future__ import annotations

from flask import Flask, request

from ceengine.errors import render_error

FILE_FIELDS = {"pdf"}  # the verify page's upload: the only form here that takes a file
RAW_BODY_ENDPOINTS = {"completion.stripe_webhook"}  # checks its own signed body


def refuse_unusable_input() -> tuple[str, int] | None:
    """400 for a NUL character in any field or query value, a field whose name could not be
    read, or a file in a text field."""
    if request.endpoint in RAW_BODY_ENDPOINTS:
        return None
    values = [*request.args.values(), *request.args.keys()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += [*request.form.values(), *request.form.keys()]
        if None in values or None in request.files:  # e.g. name="\": the parser reads no name
            return render_error(
                400,
                "We could not read one of the fields this form sent. Go "
                "back, reload the page and send the form again.",
            )
        if set(request.files) - FILE_FIELDS:
            return render_error(
                400,
                "This form does not take a file. Go back, type your "
                "answer into the form and send it again.",
            )
    if any("\x00" in value for value in values):
        return render_error(
            400,
            "What you sent contains a character we cannot store (a NUL "
            "character). Go back, retype it and send it again.",
        )
    return None


def init_app(app: Flask) -> None:
    """Check every request before its view runs."""
    app.before_request(refuse_unusable_input)
