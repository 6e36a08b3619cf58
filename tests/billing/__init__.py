"""Paying for certificates through Stripe Checkout and its webhooks."""
