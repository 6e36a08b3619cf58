"""Returning from Stripe Checkout (success, cancel) and Stripe's webhook: each leads to the
fulfilment of a paid order (ceengine/completion/fulfilment.py)."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.billing.models import EXPIRED, FAILED, Order
from ceengine.billing.problems import closed_order_message
from ceengine.billing.services import PaymentUnavailable, current_session, order_by_reference
from ceengine.billing.stripe_api import UnusableEvent, verified_event
from ceengine.certificates.tokens import certificate_token
from ceengine.completion import bp
from ceengine.completion.fulfilment import fulfil_session, handle_event
from ceengine.config import payments_enabled
from ceengine.errors import render_error
from ceengine.extensions import csrf, limiter
from ceengine.learners.identity import current_learner

REFRESH_SECONDS = 5


@bp.get("/billing/orders/<public_id>/success")
def success(public_id: str) -> ResponseReturnValue:
    """Back from Checkout: issue at once when paid, or wait while the payment processes."""
    order = _own_order(public_id)
    certificate = order.certificate  # the webhook may have come first
    if certificate is None and not order.checkout_session_id:  # Stripe never opened one
        return redirect(url_for(".details", public_id=order.attempt.public_id), 303)
    if certificate is None:
        try:
            session = current_session(order)
        except PaymentUnavailable:
            return render_template(
                "completion/processing.html",
                order=order,
                refresh=REFRESH_SECONDS,
                message="We could not reach the payment service to confirm "
                "your payment. This page will try again.",
            ), 503
        certificate = fulfil_session(session)
    if certificate is not None:
        flash("Payment received: your certificate has been issued and emailed to you.", "success")
        return redirect(
            url_for("certificates.certificate", token=certificate_token(certificate.number)), 303
        )
    closed = closed_order_message(order)  # refunded, disputed, or a payment that did not match
    if closed is not None:
        return render_template("completion/closed.html", order=order, message=closed)
    if order.status in (FAILED, EXPIRED) or session.status in ("expired", "open"):
        flash(
            "The payment did not go through. Your details are kept: you can try again.", "warning"
        )
        return redirect(url_for(".details", public_id=order.attempt.public_id), 303)
    return render_template(
        "completion/processing.html",
        order=order,
        refresh=REFRESH_SECONDS,
        message="Your payment is still being processed. This page checks "
        "again every few seconds; you can also close it — we will "
        "email your certificate when the payment completes.",
    )


def _own_order(public_id: str) -> Order:
    order = order_by_reference(public_id)
    learner = current_learner()
    if order is None or learner is None or order.learner_id != learner.id:
        abort(404)
    return order


@bp.get("/billing/orders/<public_id>/cancel")
def cancel(public_id: str) -> ResponseReturnValue:
    """Back from Checkout without paying: the details form again, everything kept."""
    order = _own_order(public_id)
    flash("Payment cancelled. Nothing was charged, and your details are kept below.", "warning")
    return redirect(url_for(".details", public_id=order.attempt.public_id), 303)


@bp.post("/billing/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook() -> ResponseReturnValue:
    """Stripe's events, authenticated by their signature over the raw body."""
    if not payments_enabled(current_app.config):
        return render_error(404, "Payments are not turned on.")
    try:
        event = verified_event(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except UnusableEvent as unusable:
        return jsonify(error=str(unusable)), 400
    return jsonify(received=True, outcome=handle_event(event))
