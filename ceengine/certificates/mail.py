"""Emails about certificates: the link after issue, and the "My certificates" sign-in link."""

from __future__ import annotations

from ceengine.certificates.models import Certificate
from ceengine.certificates.printing import verify_url
from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, certificate_token, sign_in_token
from ceengine.links import absolute_url
from ceengine.mailer import send_email


def send_certificate_link(certificate: Certificate) -> bool:
    """Email the learner the address of their certificate page."""
    link = absolute_url("certificates.certificate",
                        token=certificate_token(certificate.number))
    return send_email(certificate.email, f"Your CE certificate: {certificate.course_title}",
                      "emails/certificate_issued.txt", certificate=certificate, link=link,
                      verify=verify_url(certificate.number))


def send_sign_in_link(address: str) -> bool:
    """Email a timed link that opens "My certificates" for this address."""
    link = absolute_url("certificates.my_certificates_sign_in", token=sign_in_token(address))
    return send_email(address, "Your sign-in link for My certificates",
                      "emails/sign_in_link.txt", link=link, hours=SIGN_IN_MAX_AGE // 3600)
