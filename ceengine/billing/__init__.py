"""Billing: Stripe Checkout for paid certificates, webhooks, orders and refunds."""

from flask import Blueprint

bp = Blueprint("billing", __name__, cli_group="billing")

from ceengine.billing import cli, views  # noqa: E402,F401 - register routes and commands
