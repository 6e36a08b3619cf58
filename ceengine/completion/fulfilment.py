"""After payment: a paid Checkout Session issues its certificate exactly once, whoever reports
it first (the webhook, the success page, a new press of Continue to payment); Stripe's other
events go to billing.

Read from the top: an event, then what a paid session does, then the table of events.
"""

from __future__ import annotations

import stripe

from ceengine.billing.models import EXPIRED, FAILED, CheckoutSession
from ceengine.billing.services import (
    dispute_order,
    end_session,
    event_seen,
    mark_paid,
    note_payment,
    paid_order,
    pays_in_full,
    record_event,
    refund_order,
)
from ceengine.certificates.edition import LearnerDetails
from ceengine.certificates.models import Certificate
from ceengine.completion.issuing import issue_certificate
from ceengine.extensions import db


def handle_event(event: stripe.Event) -> str:
    """Handle a verified Stripe event once; a repeated delivery does nothing more."""
    if event_seen(event.id):
        return "already handled"
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(event.data.object)
    if not record_event(event):  # the same event, delivered twice at once
        return "already handled"
    return "handled" if handler else "ignored"


def fulfil_session(session: stripe.checkout.Session) -> Certificate | None:
    """Issue the certificate of the order a Checkout Session pays, once Stripe says it is paid
    in full, exactly once (webhook and success page alike); None while there is none.

    A paid session that cannot fulfil its order (not one the app opened for it; the wrong
    amount, currency or mode; a second payment) is recorded for the admin and issues nothing.
    """
    order = paid_order(session)
    if order is None:
        return None
    if not pays_in_full(order, session):
        return order.certificate
    if not note_payment(order, session.payment_intent):  # the refund arrived first: never issue
        return None
    attempt = order.attempt
    opened = db.session.get(CheckoutSession, session.id)
    issued = issue_certificate(
        attempt,
        attempt.learner,
        LearnerDetails(**order.details),
        order=order,
        amount_paid=session.amount_total,
        confirmed_at=opened.opened_at if opened is not None else None,
    )
    if not issued.is_new:  # issued by a twin (the webhook and the success page at once)
        mark_paid(order, issued.certificate, session.amount_total)
        db.session.commit()
    return issued.certificate


HANDLERS = {
    "checkout.session.completed": fulfil_session,
    "checkout.session.async_payment_succeeded": fulfil_session,
    "checkout.session.async_payment_failed": lambda s: end_session(s, FAILED),
    "checkout.session.expired": lambda s: end_session(s, EXPIRED),
    "charge.refunded": refund_order,
    "charge.dispute.created": dispute_order,
}
