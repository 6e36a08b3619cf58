"""Continue to payment: a Checkout Session for the certificate, or the certificate itself when
the order was paid meanwhile."""

from __future__ import annotations

from ceengine.billing.services import checkout_url, current_session, open_order
from ceengine.certificates.edition import LearnerDetails
from ceengine.certificates.models import Certificate
from ceengine.certificates.services import check_eligible, latest_certificate
from ceengine.completion.fulfilment import fulfil_session
from ceengine.learners.models import Learner
from ceengine.links import absolute_url
from ceengine.quizzes.models import Attempt


def start_checkout(
    attempt: Attempt, learner: Learner | None, details: LearnerDetails
) -> str | Certificate:
    """Open a Checkout Session for the certificate; its address, or the certificate if paid.

    Pressing again with the same details (a double click, a second tab, a return from Cancel)
    leads back to the same open session; changed details close it and open a new one. Raises
    billing's OrderClosed or PaymentUnavailable when the order cannot be paid now.
    """
    check_eligible(attempt, learner)
    order = open_order(attempt, details)
    previous = current_session(order)
    if previous is not None:
        fulfil_session(previous)  # paid already: the learner never came back from Stripe
    certificate = latest_certificate(attempt)
    if certificate is not None:
        return certificate
    return checkout_url(
        order,
        details,
        previous,
        success_url=absolute_url("completion.success", public_id=order.public_id),
        cancel_url=absolute_url("completion.cancel", public_id=order.public_id),
    )
