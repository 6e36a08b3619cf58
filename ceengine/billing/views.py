"""Returning from Stripe Checkout (success, cancel) and Stripe's webhook."""

from __future__ import annotations

import json

import stripe
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from ceengine.billing import bp
from ceengine.billing.checks import event_problem
from ceengine.billing.models import EXPIRED, FAILED, Order
from ceengine.billing.problems import closed_order_message
from ceengine.billing.services import (
    fulfil_session,
    handle_event,
    order_by_reference,
)
from ceengine.billing.stripe_api import retrieve_session
from ceengine.certificates.tokens import certificate_token
from ceengine.config import payments_enabled
from ceengine.errors import render_error
from ceengine.extensions import csrf, limiter
from ceengine.learners.identity import current_learner

REFRESH_SECONDS = 5


def _own_order(public_id: str) -> Order:
    order = order_by_reference(public_id)
    learner = current_learner()
    if order is None or learner is None or order.learner_id != learner.id:
        abort(404)
    return order


def _certificate_page(certificate):
    return redirect(url_for("certificates.certificate",
                            token=certificate_token(certificate.number)), 303)


@bp.get("/billing/orders/<public_id>/success")
def success(public_id: str):
    """Back from Checkout: issue at once when paid, or wait while the payment processes."""
    order = _own_order(public_id)
    certificate = order.certificate  # the webhook may have come first
    if certificate is None and not order.checkout_session_id:  # Stripe never opened one
        return redirect(url_for("completion.details", public_id=order.attempt.public_id), 303)
    if certificate is None:
        try:
            session = retrieve_session(order.checkout_session_id)
        except stripe.StripeError:
            return render_template("billing/processing.html", order=order,
                                   refresh=REFRESH_SECONDS,
                                   message="We could not reach the payment service to confirm "
                                           "your payment. This page will try again."), 503
        certificate = fulfil_session(session)
    if certificate is not None:
        flash("Payment received: your certificate has been issued and emailed to you.",
              "success")
        return _certificate_page(certificate)
    closed = closed_order_message(order)  # refunded, disputed, or a payment that did not match
    if closed is not None:
        return render_template("billing/closed.html", order=order, message=closed)
    if order.status in (FAILED, EXPIRED) or session.status in ("expired", "open"):
        flash("The payment did not go through. Your details are kept: you can try again.",
              "warning")
        return redirect(url_for("completion.details", public_id=order.attempt.public_id), 303)
    return render_template("billing/processing.html", order=order, refresh=REFRESH_SECONDS,
                           message="Your payment is still being processed. This page checks "
                                   "again every few seconds; you can also close it — we will "
                                   "email your certificate when the payment completes.")


@bp.get("/billing/orders/<public_id>/cancel")
def cancel(public_id: str):
    """Back from Checkout without paying: the details form again, everything kept."""
    order = _own_order(public_id)
    flash("Payment cancelled. Nothing was charged, and your details are kept below.", "warning")
    return redirect(url_for("completion.details", public_id=order.attempt.public_id), 303)


@bp.post("/billing/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    """Stripe's events, authenticated by their signature over the raw body."""
    if not payments_enabled(current_app.config):
        return render_error(404, "Payments are not turned on.")
    body, signature = request.get_data(), request.headers.get("Stripe-Signature", "")
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        stripe.WebhookSignature.verify_header(body, signature, secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
    except (stripe.SignatureVerificationError, TypeError, ValueError):
        # TypeError: a signature with non-ASCII characters; ValueError: a body not in UTF-8.
        return jsonify(error="The Stripe-Signature does not verify."), 400
    try:
        payload = json.loads(body)
    except ValueError:
        return jsonify(error="The body is not a Stripe event."), 400
    problem = event_problem(payload)
    if problem:
        return jsonify(error=f"The body is not a Stripe event: {problem}."), 400
    event = stripe.Webhook.construct_event(body, signature, secret)
    return jsonify(received=True, outcome=handle_event(event))
