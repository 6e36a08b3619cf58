"""Issuing a passed attempt's certificate, free or paid: everything made for a new certificate
(its signed PDF, its email, the order it fulfils) is made here, in one transaction — issued
and emailed, or neither."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ceengine.billing.mail import send_receipt
from ceengine.billing.models import Order
from ceengine.billing.services import mark_paid
from ceengine.certificates.edition import LearnerDetails
from ceengine.certificates.mail import send_certificate_link
from ceengine.certificates.models import Certificate
from ceengine.certificates.services import (
    CertificateError,
    add_first_edition,
    check_eligible,
    fee_cents,
    latest_certificate,
)
from ceengine.config import payments_enabled
from ceengine.extensions import db
from ceengine.learners.models import Learner
from ceengine.outbox.queue import Outcome
from ceengine.quizzes.models import Attempt

_NUMBER_TRIES = 3


class PaymentRequired(CertificateError):
    """The course charges for its certificate and it has not been paid."""


def payment_due(attempt: Attempt) -> bool:
    """Whether this attempt's certificate must be paid for (a fee, and payments turned on)."""
    return fee_cents(attempt) > 0 and payments_enabled(current_app.config)


class Issued(NamedTuple):
    """An attempt's certificate and the email queued with it (None: issued before this call)."""

    certificate: Certificate
    email: Outcome | None

    @property
    def is_new(self) -> bool:
        """Whether this call issued the certificate."""
        return self.email is not None


def issue_certificate(
    attempt: Attempt,
    learner: Learner | None,
    details: LearnerDetails,
    *,
    client: str | None = None,
    order: Order | None = None,
    amount_paid: int | None = None,
    confirmed_at: datetime | None = None,
) -> Issued:
    """The certificate for a passed attempt, issued with its email on the first call.

    Free (no `order`): the email is the certificate link; `client` is the network address of
    the visitor who pressed Issue certificate, which holds it to the visitor limits. Paid:
    `order` is marked paid (`amount_paid`, what Stripe took) and its receipt, which carries
    the link, is the email; `confirmed_at` is when the paid Checkout Session was opened (the
    credit the learner saw then is the credit printed). A second call — a double click, a
    retry, another tab, the webhook and the success page at once — returns the first
    certificate and makes nothing.
    """
    check_eligible(attempt, learner)
    existing = latest_certificate(attempt)
    if existing is not None:
        return Issued(existing, None)
    if order is None and payment_due(attempt):
        raise PaymentRequired("This course charges for its certificate: continue to payment.")
    for _ in range(_NUMBER_TRIES):
        try:
            # A paid certificate's learner confirmed the details, the credit shown and the
            # attestation before checkout.
            if confirmed_at is None and order is not None:
                confirmed_at = order.created_at
            certificate = add_first_edition(attempt, details, confirmed_at)
            if order is None:
                email = send_certificate_link(certificate, client=client, commit=False)
            else:
                mark_paid(order, certificate, amount_paid)
                email = send_receipt(order, certificate)
            db.session.commit()
            return Issued(certificate, email)
        except IntegrityError:
            db.session.rollback()  # a twin request issued it first, or the number was taken
            existing = latest_certificate(attempt)
            if existing is not None:
                return Issued(existing, None)
    raise CertificateError("The certificate could not be issued. Please try again.")
