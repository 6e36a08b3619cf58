"""Emails about certificates: the link after issue, and the "My certificates" sign-in link."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ceengine.certificates.edition import verify_url
from ceengine.certificates.models import Certificate
from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, certificate_token, sign_in_token
from ceengine.links import absolute_url
from ceengine.mailer import send_email
from ceengine.outbox.queue import Attachment, Outcome

SIGN_IN_SUBJECT = "Your sign-in link for My certificates"


def certificate_attachment(certificate: Certificate) -> Attachment | None:
    """The signed PDF to attach, when no larger than CEENGINE_MAIL_ATTACH_MAX_KB (0: never)."""
    limit = current_app.config["MAIL_ATTACH_MAX_KB"] * 1024
    pdf = certificate.pdf
    if limit <= 0 or len(pdf) > limit:
        return None
    return Attachment(certificate.filename, pdf, "application/pdf")


def send_certificate_link(
    certificate: Certificate, *, client: str | None = None, commit: bool = True
) -> Outcome:
    """Queue the email with the address of the certificate page (once per certificate).

    `client` is the network address of the visitor who pressed Issue certificate: anyone can
    type any address there, so the email is then held to the limits (one a day to an address
    from one learner or one network), and its subject and body carry only the sponsor's text
    (course title, number, links), never what was typed. Admin reissues pass none: the name
    an admin set greets the learner.
    """
    link = absolute_url("certificates.certificate", token=certificate_token(certificate.number))
    attachment = certificate_attachment(certificate)
    return send_email(
        certificate.email,
        f"Your CE certificate: {certificate.course_title}",
        "emails/certificate_issued.txt",
        html_template="emails/certificate_issued.html",
        attachment=attachment,
        attached=attachment is not None,
        kind="certificate",
        key=f"certificate:{certificate.number}",
        client=client,
        about=f"learner:{certificate.learner_id}" if client else None,
        commit=commit,
        certificate=certificate,
        link=link,
        by_name=client is None,
        verify=verify_url(certificate.number),
    )


def send_sign_in_link(address: str, *, client: str | None = None) -> Outcome:
    """Queue an email with a timed link that opens "My certificates" for this address.

    A second ask from the same network within a minute (a double click) queues nothing more.
    """
    token = sign_in_token(address)
    link = absolute_url("certificates.my_certificates_sign_in", token=token)
    return send_email(
        address,
        SIGN_IN_SUBJECT,
        "emails/sign_in_link.txt",
        kind="sign-in",
        key=f"sign-in:{address}:{client}:{token}",
        client=client,
        window=timedelta(minutes=1) if client else None,
        link=link,
        hours=SIGN_IN_MAX_AGE // 3600,
    )
