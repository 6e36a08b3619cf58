"""Emails about certificates: the link after issue, and the "My certificates" sign-in link."""

from __future__ import annotations

from flask import current_app, render_template
from flask_mailman import EmailMessage

from ceengine.certificates.models import Certificate
from ceengine.certificates.printing import verify_url
from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, certificate_token, sign_in_token
from ceengine.links import absolute_url


def _send(to: str, subject: str, template: str, **values) -> bool:
    """Send one plain-text email; False (and a log line) when the mail server fails."""
    body = render_template(template, sponsor=current_app.config["SPONSOR_NAME"], **values)
    message = EmailMessage(subject=subject, body=body, to=[to])
    try:
        message.send()
    except Exception:  # SMTP and socket errors vary; the caller tells the learner
        current_app.logger.exception("Could not send %r to %s", subject, to)
        return False
    return True


def send_certificate_link(certificate: Certificate) -> bool:
    """Email the learner the address of their certificate page."""
    link = absolute_url("certificates.certificate",
                        token=certificate_token(certificate.number))
    return _send(certificate.email, f"Your CE certificate: {certificate.course_title}",
                 "emails/certificate_issued.txt", certificate=certificate, link=link,
                 verify=verify_url(certificate.number))


def send_sign_in_link(address: str) -> bool:
    """Email a timed link that opens "My certificates" for this address."""
    link = absolute_url("certificates.my_certificates_sign_in", token=sign_in_token(address))
    return _send(address, "Your sign-in link for My certificates",
                 "emails/sign_in_link.txt", link=link, hours=SIGN_IN_MAX_AGE // 3600)
