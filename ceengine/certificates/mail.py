"""Emails about certificates: the link after issue, and the "My certificates" sign-in link."""

from __future__ import annotations

from datetime import timedelta

from ceengine.certificates.models import Certificate
from ceengine.certificates.printing import verify_url
from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, certificate_token, sign_in_token
from ceengine.links import absolute_url
from ceengine.mailer import send_email
from ceengine.outbox.queue import PER_CLIENT, PER_RECIPIENT, REPEAT, Outcome

SIGN_IN_SUBJECT = "Your sign-in link for My certificates"


def send_certificate_link(certificate: Certificate, *, client: str | None = None,
                          commit: bool = True) -> Outcome:
    """Queue the email with the address of the certificate page (once per certificate).

    `client` is the network address of the visitor who pressed Issue certificate: anyone can
    type any address there, so the email is then held to the limits (one a day to an address
    from one learner or one network), and its subject and body carry only the sponsor's text
    (course title, number, links), never what was typed. Admin reissues pass none: the name
    an admin set greets the learner.
    """
    link = absolute_url("certificates.certificate",
                        token=certificate_token(certificate.number))
    return send_email(certificate.email, f"Your CE certificate: {certificate.course_title}",
                      "emails/certificate_issued.txt", kind="certificate",
                      key=f"certificate:{certificate.number}", client=client,
                      about=f"learner:{certificate.learner_id}" if client else None,
                      commit=commit, certificate=certificate, link=link, by_name=client is None,
                      verify=verify_url(certificate.number))


def send_sign_in_link(address: str, *, client: str | None = None) -> Outcome:
    """Queue an email with a timed link that opens "My certificates" for this address.

    A second ask from the same network within a minute (a double click) queues nothing more.
    """
    token = sign_in_token(address)
    link = absolute_url("certificates.my_certificates_sign_in", token=token)
    return send_email(address, SIGN_IN_SUBJECT, "emails/sign_in_link.txt", kind="sign-in",
                      key=f"sign-in:{address}:{client}:{token}", client=client,
                      window=timedelta(minutes=1) if client else None,
                      link=link, hours=SIGN_IN_MAX_AGE // 3600)


def issued_notice(certificate: Certificate, outcome: Outcome) -> tuple[str, str]:
    """The (message, category) a learner sees after Issue certificate: where the email went,
    or that it was not sent and why."""
    email = certificate.email
    if outcome:
        return f"Your certificate has been issued. We are emailing its link to {email}.", \
            "success"
    reasons = {
        REPEAT: f"a certificate email already went to {email} from this browser or this "
                f"network in the last {outcome.period}, and we send no more than one in that "
                "time, so that this form cannot be used to flood someone's inbox.",
        PER_RECIPIENT: f"{email} has already had as many emails as we send to one address in "
                       f"{outcome.period}.",
        PER_CLIENT: "your network has already asked for as many emails as we send for one "
                    f"network in {outcome.period}.",
    }
    return (f"Your certificate has been issued, but we did not email its link: "
            f"{reasons[outcome.refusal]} Bookmark this page to come back to it."), "warning"
