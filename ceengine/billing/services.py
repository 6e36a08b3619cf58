"""Paying for a certificate: start a checkout, fulfil a paid order exactly once, react to
Stripe's events (which may come late, twice, or out of order)."""

from __future__ import annotations

import secrets
from dataclasses import asdict

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ceengine.billing import stripe_api
from ceengine.billing.checks import (
    Expected,
    fully_refunded,
    key_is_live,
    money,
    payment_mismatch,
)
from ceengine.billing.mail import send_receipt
from ceengine.billing.models import (
    DISPUTED,
    EXPIRED,
    FAILED,
    PAID,
    PENDING,
    REFUNDED,
    CheckoutSession,
    Order,
    StripeEvent,
)
from ceengine.billing.problems import closed_order_message, record_problem
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.printing import LearnerDetails
from ceengine.certificates.services import (
    NoLongerValid,
    NotEligible,
    current_edition,
    fee_cents,
    issue_certificate,
    latest_certificate,
    revoke_certificate,
)
from ceengine.extensions import db
from ceengine.learners.models import Learner
from ceengine.links import absolute_url
from ceengine.models import utcnow
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
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 255 or \
            "\x00" in session_id:
        return None
    opened = db.session.get(CheckoutSession, session_id)
    return db.session.get(Order, opened.order_id) if opened is not None else None


def _open_order(attempt: Attempt, details: LearnerDetails) -> Order:
    order = order_for_attempt(attempt)
    if order is None:
        order = Order(public_id=secrets.token_urlsafe(16), attempt_id=attempt.id,
                      learner_id=attempt.learner_id, amount_cents=fee_cents(attempt),
                      currency=attempt.version.content["certificate"]["currency"],
                      details=asdict(details))
        db.session.add(order)
        try:
            db.session.commit()
        except IntegrityError:  # the same attempt's order was opened by a twin request
            db.session.rollback()
            order = order_for_attempt(attempt)
    return order


def start_checkout(attempt: Attempt, learner: Learner | None,
                   details: LearnerDetails) -> str | Certificate:
    """Open a Checkout Session for the certificate; its address, or the certificate if paid.

    Pressing again with the same details (a double click, a second tab, a return from Cancel)
    leads back to the same open session; changed details close it and open a new one.
    """
    if learner is None or attempt.learner_id != learner.id or not attempt.passed:
        raise NotEligible("A certificate is only issued to the learner who passed the quiz.")
    order = _open_order(attempt, details)
    try:
        previous = (stripe_api.retrieve_session(order.checkout_session_id)
                    if order.checkout_session_id else None)
        if previous is not None and previous.payment_status in PAID_STATUSES:
            fulfil_session(previous)
        certificate = latest_certificate(attempt)
        if certificate is not None:
            return certificate
        closed = closed_order_message(order)
        if closed is not None or order.status == PAID:
            raise OrderClosed(closed or "This order is paid but its certificate is not issued "
                              "yet: please try again in a minute.")
        if previous is not None and previous.status == "open":
            if order.details == asdict(details):
                return previous.url
            stripe_api.expire_session(previous.id)
        if previous is not None:  # a new round: a new idempotency key
            order.sessions_opened += 1
        order.details, order.status = asdict(details), PENDING
        db.session.commit()  # the idempotency key is fixed before Stripe is called
        session = stripe_api.create_checkout_session(
            order, f"CE certificate: {attempt.version.title}",
            success_url=absolute_url("billing.success", public_id=order.public_id),
            cancel_url=absolute_url("billing.cancel", public_id=order.public_id))
    except stripe.StripeError as error:
        db.session.rollback()
        current_app.logger.warning("Stripe refused or was unreachable: %s", error)
        raise PaymentUnavailable("The payment service could not be reached. Your details "
                                 "are kept: please try again in a minute.") from error
    order.checkout_session_id = session.id
    if db.session.get(CheckoutSession, session.id) is None:  # a replayed request: kept already
        db.session.add(CheckoutSession(id=session.id, order_id=order.id))
    try:
        db.session.commit()
    except IntegrityError:  # a twin request (same idempotency key) recorded it first
        db.session.rollback()
    return session.url


def _mark_paid(order: Order, certificate: Certificate, amount_paid: int | None) -> None:
    order.certificate_id = certificate.id
    if order.status != DISPUTED:
        order.status = PAID
    order.paid_at = order.paid_at or utcnow()
    if order.amount_paid_cents is None:
        order.amount_paid_cents = amount_paid


def fulfil_order(order: Order, payment_intent_id: str | None,
                 amount_paid: int | None = None) -> Certificate | None:
    """Issue the certificate of a paid order, exactly once (webhook and success page alike)."""
    if payment_intent_id and order.payment_intent_id != payment_intent_id:
        order.payment_intent_id = payment_intent_id
    if order.status == REFUNDED:  # the refund arrived first: never issue
        db.session.commit()
        return None
    attempt = order.attempt
    certificate, created = issue_certificate(
        attempt, attempt.learner, LearnerDetails(**order.details), paid=True,
        also=lambda issued: _mark_paid(order, issued, amount_paid))
    if not created:
        _mark_paid(order, certificate, amount_paid)
        db.session.commit()
    else:
        send_receipt(order, certificate)
    return certificate


def _expected(order: Order) -> Expected:
    config = current_app.config
    return Expected(order.amount_cents, order.currency,
                    key_is_live(config.get("STRIPE_SECRET_KEY")),
                    bool(config.get("STRIPE_ALLOW_PROMOTION_CODES")))


def fulfil_session(session) -> Certificate | None:
    """Fulfil an order from one of its own Checkout Sessions, once Stripe says it is paid in
    full; a paid session that cannot (not the order's own, wrong amount, currency or mode) is
    recorded for the admin and issues nothing."""
    if session.payment_status not in PAID_STATUSES:
        return None
    order = order_of_session(session.id)
    if order is None:
        claimed = order_by_reference(session.client_reference_id)
        if claimed is not None:  # not a session the app opened for it: a Payment Link, a forgery
            record_problem(claimed, session, "Paid through a Checkout Session not opened for "
                            f"this order ({money(session.amount_total, session.currency)}).")
        return None
    problem = payment_mismatch(session, _expected(order))
    if problem is None and order.certificate_id is not None and order.payment_intent_id and \
            session.payment_intent and session.payment_intent != order.payment_intent_id:
        problem = "Paid a second time for an order already paid: refund one of the payments."
    if problem is not None:
        record_problem(order, session, problem)
        return order.certificate
    return fulfil_order(order, session.payment_intent, session.amount_total)


def _set_status(session, status: str) -> None:
    order = order_of_session(session.id)
    if order is not None and order.status == PENDING and \
            order.checkout_session_id == session.id:
        order.status = status
        db.session.commit()


def _order_of_payment(payment_intent_id: str | None) -> Order | None:
    if not payment_intent_id:
        return None
    order = db.session.scalar(sa.select(Order).where(
        Order.payment_intent_id == payment_intent_id))
    if order is None:  # the refund came before we saw the payment: ask Stripe whose it is
        try:
            reference = stripe_api.order_reference_of_payment(payment_intent_id)
        except stripe.InvalidRequestError:  # a payment Stripe does not know is not ours
            return None
        order = order_by_reference(reference)
        if order is not None:
            order.payment_intent_id = payment_intent_id
    return order


def refund_order(charge) -> None:
    """A full refund revokes the certificate (reason "refunded") and closes the order; a
    partial one is recorded on the order and the certificate stands."""
    order = _order_of_payment(charge.payment_intent)
    if order is None:
        return
    # amount_refunded adds up every refund so far; events may come out of order.
    order.amount_refunded_cents = max(order.amount_refunded_cents or 0, charge.amount_refunded)
    if not fully_refunded(charge):
        db.session.commit()
        return
    order.status = REFUNDED
    db.session.commit()
    certificate = latest_certificate(order.attempt)
    if certificate is not None:
        certificate = current_edition(certificate)
        if certificate.status == VALID:
            try:
                revoke_certificate(certificate.number, "refunded")
            except NoLongerValid:  # an admin revoked or reissued it at that instant
                refund_order(charge)  # the order is refunded; follow to the edition now valid


def dispute_order(dispute) -> None:
    """A dispute flags the order for the sponsor to review."""
    order = _order_of_payment(dispute.payment_intent)
    if order is not None and order.status != REFUNDED:
        order.status = DISPUTED
        db.session.commit()


HANDLERS = {
    "checkout.session.completed": fulfil_session,
    "checkout.session.async_payment_succeeded": fulfil_session,
    "checkout.session.async_payment_failed": lambda s: _set_status(s, FAILED),
    "checkout.session.expired": lambda s: _set_status(s, EXPIRED),
    "charge.refunded": refund_order,
    "charge.dispute.created": dispute_order,
}


def handle_event(event) -> str:
    """Handle a verified Stripe event once; a repeated delivery does nothing more."""
    if db.session.get(StripeEvent, event.id) is not None:
        return "already handled"
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(event.data.object)
    db.session.add(StripeEvent(id=event.id, type=event.type))
    try:
        db.session.commit()
    except IntegrityError:  # the same event, delivered twice at once
        db.session.rollback()
        return "already handled"
    return "handled" if handler else "ignored"
