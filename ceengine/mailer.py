"""Sending email: the one function every feature uses to send a message to a person."""

from __future__ import annotations

from flask import current_app, render_template
from flask_mailman import EmailMessage


def send_email(to: str, subject: str, template: str, **values) -> bool:
    """Send one plain-text email rendered from `template`; False (logged) when it fails."""
    body = render_template(template, sponsor=current_app.config["SPONSOR_NAME"], **values)
    message = EmailMessage(subject=subject, body=body, to=[to])
    try:
        message.send()
    except Exception:  # SMTP and socket errors vary; the caller tells the person
        current_app.logger.exception("Could not send %r to %s", subject, to)
        return False
    return True
