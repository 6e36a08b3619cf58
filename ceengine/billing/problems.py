"""Payments that could not fulfil their order, and what the learner and the admin are told
about an order beyond its status."""

from __future__ import annotations

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ceengine.billing.checks import money
from ceengine.billing.models import DISPUTED, REFUNDED, CheckoutSession, Order, PaymentProblem
from ceengine.extensions import db


def _own_problem(order: Order) -> PaymentProblem | None:
    """A payment problem on one of the order's own sessions (one it did not open is not the
    learner's doing and does not stop them paying)."""
    own = sa.select(CheckoutSession.id).where(CheckoutSession.order_id == order.id)
    return db.session.scalar(
        sa.select(PaymentProblem)
        .where(PaymentProblem.order_id == order.id, PaymentProblem.checkout_session_id.in_(own))
        .order_by(PaymentProblem.id)
        .limit(1)
    )


def order_notes(order: Order) -> list[str]:
    """What an admin should know about an order beyond its status: the amount paid when a
    promotion code lowered it, a partial refund, payment problems (newest last)."""
    notes = []
    paid, fee = order.amount_paid_cents, order.amount_cents
    if paid is not None and paid != fee:
        notes.append(
            f"{money(paid, order.currency)} of {money(fee, order.currency)} paid (promotion code)"
        )
    if order.amount_refunded_cents and order.status != REFUNDED:
        notes.append(
            f"{money(order.amount_refunded_cents, order.currency)} refunded "
            f"(partial refund: the certificate stands)"
        )
    for problem in order.payment_problems:
        notes.append(
            f"Payment problem: {problem.reason} Session {problem.checkout_session_id}"
            + (f", payment {problem.payment_intent_id}" if problem.payment_intent_id else "")
            + "."
        )
    return notes


def closed_order_message(order: Order) -> str | None:
    """Why no certificate can come of this order now, and what to do, for the learner; None
    while it can still be paid or is issued."""
    if order.certificate_id is not None:
        return None
    contact, reference = current_app.config["SPONSOR_CONTACT"], order.public_id
    if order.status == REFUNDED:
        return (
            f"This payment was refunded, so no certificate was issued. If you think this "
            f"is a mistake, write to {contact} and quote order {reference}."
        )
    if order.status == DISPUTED:
        return (
            f"This payment is disputed with your card issuer, so no certificate can be "
            f"issued while the dispute is open. Write to {contact} and quote order "
            f"{reference}."
        )
    if _own_problem(order) is not None:
        return (
            f"We received a payment we could not match to this order's fee, so no "
            f"certificate was issued yet and nothing more will be charged. Write to "
            f"{contact} and quote order {reference}: the sponsor can see the payment and "
            f"will put it right."
        )
    return None


def record_problem(order: Order, session: stripe.checkout.Session, reason: str) -> None:
    """Keep a paid session that cannot fulfil the order, once, for the admin to act on."""
    current_app.logger.warning(
        "Payment problem on order %s, session %s: %s", order.public_id, session.id, reason
    )
    exists = sa.select(PaymentProblem.id).where(
        PaymentProblem.order_id == order.id, PaymentProblem.checkout_session_id == session.id
    )
    if db.session.scalar(exists) is not None:
        return
    amount, currency = session.amount_total, session.currency
    intent = session.payment_intent
    db.session.add(
        PaymentProblem(
            order_id=order.id,
            checkout_session_id=session.id,
            reason=reason[:500],
            payment_intent_id=intent if isinstance(intent, str) else None,
            amount_cents=amount if isinstance(amount, int) else None,
            currency=currency[:16] if isinstance(currency, str) else None,
            livemode=session.livemode if isinstance(session.livemode, bool) else None,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # the webhook and the success page recorded it at once
        db.session.rollback()
