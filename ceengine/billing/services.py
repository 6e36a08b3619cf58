"""Paying for a certificate: orders, their Checkout Sessions, whether a paid session pays its
order in full, and Stripe's other events (which may come late, twice, or out of order).

Issuing the certificate of a paid order is ceengine/completion/'s: it calls these in turn.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ceengine.billing import stripe_api
from ceengine.billing.checks import (
    Expected,
    fully_refunded,
    key_is_live,
    money,
    payment_mismatch,
)
from ceengine.billing.models import (
    DISPUTED,
    PAID,
    PENDING,
    REFUNDED,
    CheckoutSession,
    Order,
    StripeEvent,
)
from ceengine.billing.problems import closed_order_message, record_problem
from ceengine.billing.totals import count_change, count_payment
from ceengine.certificates.edition import LearnerDetails
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.services import (
    NoLongerValid,
    current_edition,
    fee_cents,
    latest_certificate,
    revoke_certificate,
)
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt

PAID_STATUSES = ("paid", "no_payment_required")


class PaymentUnavailable(Exception):
    """Stripe could not be reached or refused the request; the message is for the learner."""


class OrderClosed(Exception):
    """The order can be neither paid nor issued now (refunded, disputed, a payment that did
    not match); the message says why and what the learner can do."""


def order_for_attempt(attempt: Attempt) -> Order | None:
    """The order for an attempt's certificate, if one was started."""
    return db.session.scalar(sa.select(Order).where(Order.attempt_id == attempt.id))


def order_by_reference(public_id: object) -> Order | None:
    """The order a Stripe object refers to (client_reference_id or metadata)."""
    if not isinstance(public_id, str) or not 0 < len(public_id) <= 32 or "\x00" in public_id:
        return None
    return db.session.scalar(sa.select(Order).where(Order.public_id == public_id))


def order_of_session(session_id: object) -> Order | None:
    """The order the app opened this Checkout Session for, if it did."""
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 255 or "\x00" in session_id:
        return None
    opened = db.session.get(CheckoutSession, session_id)
    return db.session.get(Order, opened.order_id) if opened is not None else None


def open_order(attempt: Attempt, details: LearnerDetails) -> Order:
    """The attempt's order, opened on the first call (one order per attempt, whoever asks)."""
    order = order_for_attempt(attempt)
    if order is None:
        order = Order(
            public_id=secrets.token_urlsafe(16),
            attempt_id=attempt.id,
            learner_id=attempt.learner_id,
            amount_cents=fee_cents(attempt),
            currency=attempt.version.spec.certificate.currency,
            details=asdict(details),
        )
        db.session.add(order)
        try:
            db.session.commit()
        except IntegrityError:  # the same attempt's order was opened by a twin request
            db.session.rollback()
            order = order_for_attempt(attempt)
    return order


def _unavailable(error: stripe.StripeError) -> PaymentUnavailable:
    db.session.rollback()
    current_app.logger.warning("Stripe refused or was unreachable: %s", error)
    return PaymentUnavailable(
        "The payment service could not be reached. Your details "
        "are kept: please try again in a minute."
    )


def current_session(order: Order) -> stripe.checkout.Session | None:
    """The order's latest Checkout Session as Stripe has it now; None when none was opened.

    Raises PaymentUnavailable when Stripe cannot be reached.
    """
    if not order.checkout_session_id:
        return None
    try:
        return stripe_api.retrieve_session(order.checkout_session_id)
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def checkout_url(
    order: Order,
    details: LearnerDetails,
    previous: stripe.checkout.Session | None,
    *,
    success_url: str,
    cancel_url: str,
) -> str:
    """The address of a Checkout Session that pays the order with these details.

    The previous session when it is still open with the same details (a double click, a second
    tab, a return from Cancel); else a new one, the previous closed first. Raises OrderClosed
    when the order can be paid no more, PaymentUnavailable when Stripe cannot be reached.
    """
    closed = closed_order_message(order)
    if closed is not None or order.status == PAID:
        raise OrderClosed(
            closed
            or "This order is paid but its certificate is not issued "
            "yet: please try again in a minute."
        )
    try:
        if previous is not None and previous.status == "open":
            if order.details == asdict(details):
                return previous.url
            stripe_api.expire_session(previous.id)
        if previous is not None:  # a new round: a new idempotency key
            order.sessions_opened += 1
        order.details, order.status = asdict(details), PENDING
        db.session.commit()  # the idempotency key is fixed before Stripe is called
        session = stripe_api.create_checkout_session(
            order,
            f"CE certificate: {order.attempt.version.title}",
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except stripe.StripeError as error:
        raise _unavailable(error) from error
    order.checkout_session_id = session.id
    if db.session.get(CheckoutSession, session.id) is None:  # a replayed request: kept already
        db.session.add(CheckoutSession(id=session.id, order_id=order.id))
    try:
        db.session.commit()
    except IntegrityError:  # a twin request (same idempotency key) recorded it first
        db.session.rollback()
    return session.url


def paid_order(session: stripe.checkout.Session) -> Order | None:
    """The order one of its own Checkout Sessions pays, once Stripe says it is paid; None
    otherwise. A paid session that names an order it was not opened for (a Payment Link, a
    forgery) is recorded for the admin."""
    if session.payment_status not in PAID_STATUSES:
        return None
    order = order_of_session(session.id)
    if order is None:
        claimed = order_by_reference(session.client_reference_id)
        if claimed is not None:
            record_problem(
                claimed,
                session,
                "Paid through a Checkout Session not opened for "
                f"this order ({money(session.amount_total, session.currency)}).",
            )
    return order


def _expected(order: Order) -> Expected:
    config = current_app.config
    return Expected(
        order.amount_cents,
        order.currency,
        key_is_live(config.get("STRIPE_SECRET_KEY")),
        bool(config.get("STRIPE_ALLOW_PROMOTION_CODES")),
    )


def pays_in_full(order: Order, session: stripe.checkout.Session) -> bool:
    """Whether a paid session of the order pays it in full; one that does not (wrong amount,
    currency or mode, a second payment) is recorded for the admin."""
    problem = payment_mismatch(session, _expected(order))
    if (
        problem is None
        and order.certificate_id is not None
        and order.payment_intent_id
        and session.payment_intent
        and session.payment_intent != order.payment_intent_id
    ):
        problem = "Paid a second time for an order already paid: refund one of the payments."
    if problem is not None:
        record_problem(order, session, problem)
    return problem is None


def note_payment(order: Order, payment_intent_id: str | None) -> bool:
    """Note which payment pays the order; whether its certificate may be issued (not when the
    refund arrived first: then the note is committed and nothing is ever issued)."""
    if payment_intent_id and order.payment_intent_id != payment_intent_id:
        order.payment_intent_id = payment_intent_id
    if order.status == REFUNDED:
        db.session.commit()
        return False
    return True


def mark_paid(order: Order, certificate: Certificate, amount_paid: int | None) -> None:
    """The order is paid and fulfilled by this certificate (in the caller's transaction)."""
    order.certificate_id = certificate.id
    if order.status != DISPUTED:
        order.status = PAID
    if order.amount_paid_cents is None:
        order.amount_paid_cents = amount_paid
    if order.paid_at is None and _first_paid(order):  # the payment joins the running totals
        count_payment(order)


def _first_paid(order: Order) -> bool:
    """Set the order's paid_at unless someone else did first (the webhook and the success page
    at once, each with an order read before the other's commit): one of them counts it."""
    now = utcnow()
    first = db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.paid_at.is_(None)).values(paid_at=now),
        execution_options={"synchronize_session": False},
    )
    if first.rowcount == 1:
        set_committed_value(order, "paid_at", now)
        return True
    db.session.refresh(order, ["paid_at"])
    return False


def end_session(session: stripe.checkout.Session, status: str) -> None:
    """A Checkout Session that failed or expired: its order takes the status, if it was
    waiting on that session."""
    order = order_of_session(session.id)
    if order is not None and order.status == PENDING and order.checkout_session_id == session.id:
        order.status = status
        db.session.commit()


def _order_of_payment(payment_intent_id: str | None) -> Order | None:
    if not payment_intent_id:
        return None
    order = db.session.scalar(sa.select(Order).where(Order.payment_intent_id == payment_intent_id))
    if order is None:  # the refund came before we saw the payment: ask Stripe whose it is
        try:
            reference = stripe_api.order_reference_of_payment(payment_intent_id)
        except stripe.InvalidRequestError:  # a payment Stripe does not know is not ours
            return None
        order = order_by_reference(reference)
        if order is not None:
            order.payment_intent_id = payment_intent_id
    return order


def _locked(order: Order) -> tuple[str, int]:
    """Take the order's row for this transaction (a row lock on PostgreSQL, the write lock on
    SQLite) and read it afresh: the same event delivered twice at once then counts once in
    the running totals. Returns its status and refunded cents as they stand."""
    db.session.execute(
        sa.update(Order).where(Order.id == order.id).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(order)
    return order.status, order.amount_refunded_cents or 0


def refund_order(charge: stripe.Charge) -> None:
    """A full refund revokes the certificate (reason "refunded") and closes the order; a
    partial one is recorded on the order and the certificate stands."""
    order = _order_of_payment(charge.payment_intent)
    if order is None:
        return
    old_status, old_refunded = _locked(order)
    # amount_refunded adds up every refund so far; events may come out of order.
    order.amount_refunded_cents = max(old_refunded, charge.amount_refunded)
    if fully_refunded(charge):
        order.status = REFUNDED
    count_change(order, old_status, old_refunded)
    db.session.commit()
    if order.status != REFUNDED:
        return
    certificate = latest_certificate(order.attempt)
    if certificate is not None:
        certificate = current_edition(certificate)
        if certificate.status == VALID:
            try:
                revoke_certificate(certificate.number, "refunded")
            except NoLongerValid:  # an admin revoked or reissued it at that instant
                refund_order(charge)  # the order is refunded; follow to the edition now valid


def dispute_order(dispute: stripe.Dispute) -> None:
    """A dispute flags the order for the sponsor to review."""
    order = _order_of_payment(dispute.payment_intent)
    if order is None:
        return
    old_status, old_refunded = _locked(order)
    if order.status != REFUNDED:
        order.status = DISPUTED
        count_change(order, old_status, old_refunded)
        db.session.commit()


def event_seen(event_id: str) -> bool:
    """Whether this Stripe event was handled already (Stripe delivers some twice)."""
    return db.session.get(StripeEvent, event_id) is not None


def record_event(event: stripe.Event) -> bool:
    """Record a Stripe event as handled, with whatever its handler left to commit; False when
    the same event, delivered twice at once, was recorded first."""
    db.session.add(StripeEvent(id=event.id, type=event.type))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
