"""The receipt emailed when a paid certificate is issued."""

from __future__ import annotations

from ceengine.billing.models import Order
from ceengine.certificates.edition import verify_url
from ceengine.certificates.mail import certificate_attachment
from ceengine.certificates.models import Certificate
from ceengine.certificates.tokens import certificate_token
from ceengine.links import absolute_url
from ceengine.mailer import send_email
from ceengine.outbox.queue import Outcome
from ceengine.templating import format_money


def send_receipt(order: Order, certificate: Certificate) -> Outcome:
    """Queue the receipt with the certificate link, once per order, in the caller's
    transaction (the certificate's): the caller commits.

    Not held to the visitor limits: a payment stands behind it, and the payer needs it.
    """
    attachment = certificate_attachment(certificate)
    return send_email(
        certificate.email,
        f"Receipt and CE certificate: {certificate.course_title}",
        "emails/receipt.txt",
        html_template="emails/receipt.html",
        attachment=attachment,
        attached=attachment is not None,
        kind="receipt",
        key=f"receipt:{order.public_id}",
        client=None,
        commit=False,
        order=order,
        certificate=certificate,
        amount=format_money(order.amount_cents, order.currency),
        link=absolute_url("certificates.certificate", token=certificate_token(certificate.number)),
        verify=verify_url(certificate.number),
    )
