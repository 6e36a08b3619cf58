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
    certificate: Certificate,
    *,
    client: str | None = None,
    commit: bool = True,
    key: str | None = None,
) -> Outcome:
    """Queue the email with the address of the certificate page (once per certificate).

    `client` is the network address of the visitor who pressed Issue certificate: anyone can
    type any address there, so the email is then held to the limits (one a day to an address
    from one learner or one network), and its subject and body carry only the sponsor's text
    (course title, number, links), never what was typed. Admin reissues pass none: the name
    an admin set greets the learner. `key` sends it again (an admin's resend, once per key).
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
        key=key or f"certificate:{certificate.number}",
        client=client,
        about=f"learner:{certificate.learner_id}" if client else None,
        commit=commit,
        certificate=certificate,
        link=link,
        by_name=client is None,
        verify=verify_url(certificate.number),
    )


# The printed fields a correction may change, in the words the email and the console use.
FIELD_NAMES = {
    "full_name": "Name",
    "email": "Email",
    "profession": "Profession",
    "license_type": "License type",
    "license_number": "License number",
    "license_state": "License state",
}


def send_correction(
    old: Certificate, new: Certificate, changed: list[tuple[str, str, str]], reason: str
) -> Outcome:
    """Queue the email telling the learner their certificate was reissued: what changed
    (field, before, after), why, and the new certificate's link; in the caller's transaction.
    """
    attachment = certificate_attachment(new)
    return send_email(
        new.email,
        f"Your corrected CE certificate: {new.course_title}",
        "emails/certificate_corrected.txt",
        html_template="emails/certificate_corrected.html",
        attachment=attachment,
        attached=attachment is not None,
        kind="certificate-corrected",
        key=f"certificate-corrected:{new.number}",
        client=None,
        commit=False,
        certificate=new,
        old=old,
        changed=[(FIELD_NAMES[name], before, after) for name, before, after in changed],
        reason=reason,
        link=absolute_url("certificates.certificate", token=certificate_token(new.number)),
        verify=verify_url(new.number),
    )


def send_revocation(certificate: Certificate, reason: str) -> Outcome:
    """Queue the email telling the learner their certificate was revoked, and why; in the
    caller's transaction."""
    return send_email(
        certificate.email,
        f"Your CE certificate was revoked: {certificate.course_title}",
        "emails/certificate_revoked.txt",
        html_template="emails/certificate_revoked.html",
        kind="certificate-revoked",
        key=f"certificate-revoked:{certificate.number}",
        client=None,
        commit=False,
        certificate=certificate,
        reason=reason,
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
