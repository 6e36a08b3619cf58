"""The receipt emailed when a paid certificate is issued."""

from __future__ import annotations

from flask import current_app, render_template
from flask_mailman import EmailMessage

from ceengine.billing.models import Order
from ceengine.certificates.models import Certificate
from ceengine.certificates.printing import verify_url
from ceengine.certificates.tokens import certificate_token
from ceengine.links import absolute_url
from ceengine.templating import format_money


def send_receipt(order: Order, certificate: Certificate) -> bool:
    """Email the receipt with the certificate link; False (logged) when mail fails."""
    body = render_template(
        "emails/receipt.txt", order=order, certificate=certificate,
        amount=format_money(order.amount_cents, order.currency),
        link=absolute_url("certificates.certificate", token=certificate_token(certificate.number)),
        verify=verify_url(certificate.number), sponsor=current_app.config["SPONSOR_NAME"])
    message = EmailMessage(subject=f"Receipt and CE certificate: {certificate.course_title}",
                           body=body, to=[certificate.email])
    try:
        message.send()
    except Exception:  # SMTP and socket errors vary; the certificate is issued regardless
        current_app.logger.exception("Could not send the receipt for order %s", order.public_id)
        return False
    return True
