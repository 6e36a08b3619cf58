"""The calls we make to Stripe, through the official SDK (one client per app), and the events
it sends us."""

from __future__ import annotations

import hashlib
import json

import stripe
from flask import current_app

from ceengine.billing.checks import event_problem
from ceengine.billing.models import Order

_CLIENT_KEY = "ceengine.stripe_client"


def stripe_client() -> stripe.StripeClient:
    """The app's Stripe client (STRIPE_API_BASE points it at a local server in tests)."""
    app = current_app
    client = app.extensions.get(_CLIENT_KEY)
    if client is None:
        base = app.config.get("STRIPE_API_BASE")
        client = stripe.StripeClient(
            app.config["STRIPE_SECRET_KEY"],
            base_addresses={"api": base} if base else None,
            max_network_retries=2,
        )
        app.extensions[_CLIENT_KEY] = client
    return client


def create_checkout_session(
    order: Order, product_name: str, success_url: str, cancel_url: str
) -> stripe.checkout.Session:
    """A hosted Checkout Session for the order; retried safely with the same idempotency key."""
    params = {
        "mode": "payment",
        "client_reference_id": order.public_id,
        "customer_email": order.details["email"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": order.amount_cents,
                    "product_data": {"name": product_name},
                },
            }
        ],
        "metadata": {"order": order.public_id},
        "payment_intent_data": {"metadata": {"order": order.public_id}},
        "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
    }
    if current_app.config["STRIPE_ALLOW_PROMOTION_CODES"]:
        params["allow_promotion_codes"] = True
    # Twin requests (a double click) for the same details and round get the same session back.
    digest = hashlib.sha256(json.dumps(order.details, sort_keys=True).encode()).hexdigest()[:16]
    key = f"ceengine-order-{order.public_id}-{order.sessions_opened}-{digest}"
    return stripe_client().v1.checkout.sessions.create(
        params=params, options={"idempotency_key": key}
    )


def retrieve_session(session_id: str) -> stripe.checkout.Session:
    """A Checkout Session as Stripe has it now."""
    return stripe_client().v1.checkout.sessions.retrieve(session_id)


def expire_session(session_id: str) -> None:
    """Close an open Checkout Session so it can no longer be paid."""
    stripe_client().v1.checkout.sessions.expire(session_id)


def order_reference_of_payment(payment_intent_id: str) -> str | None:
    """The order a PaymentIntent was made for (from its metadata)."""
    intent = stripe_client().v1.payment_intents.retrieve(payment_intent_id)
    metadata = intent.metadata  # a StripeObject: no .get(), but `in` and [] work
    return metadata["order"] if metadata is not None and "order" in metadata else None


class UnusableEvent(Exception):
    """A webhook body that is not a Stripe event signed with our secret; the message says why."""


def verified_event(body: bytes, signature: str) -> stripe.Event:
    """The Stripe event a webhook body carries, authenticated by its Stripe-Signature over the
    raw body (STRIPE_WEBHOOK_SECRET) and of a shape the handlers can read."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        stripe.WebhookSignature.verify_header(
            body, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, TypeError, ValueError):
        # TypeError: a signature with non-ASCII characters; ValueError: a body not in UTF-8.
        raise UnusableEvent("The Stripe-Signature does not verify.") from None
    try:
        payload = json.loads(body)
    except ValueError:
        raise UnusableEvent("The body is not a Stripe event.") from None
    problem = event_problem(payload)
    if problem:
        raise UnusableEvent(f"The body is not a Stripe event: {problem}.")
    return stripe.Webhook.construct_event(body, signature, secret)
