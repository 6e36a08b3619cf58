"""Billing: orders for paid certificates, Stripe Checkout Sessions and events, refunds and
disputes. Its pages (back from Checkout, the webhook) are in ceengine/completion/, which
drives it."""

from flask import Blueprint

bp = Blueprint("billing", __name__, cli_group="billing")

from ceengine.billing import cli  # noqa: E402,F401 - register commands
