"""Steps for the billing tests: pass the paid course, press Continue to payment, pay."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

import sqlalchemy as sa

from ceengine.billing.models import Order
from ceengine.extensions import db
from tests.support.certificate_steps import submit_details, take_quiz
from tests.support.html import text_of

LICENSE = {
    "profession": "Registered Nurse",
    "license_type": "RN",
    "license_number": "RN-55",
    "license_state": "Oregon",
}


def stripe_settings(fake) -> dict:
    """App settings that turn payments on, pointed at the local Stripe (tests/support/fake_stripe.py)."""
    return {
        "STRIPE_SECRET_KEY": fake.secret_key,
        "STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
        "STRIPE_API_BASE": fake.url,
    }


def orders() -> list[Order]:
    return list(db.session.scalars(sa.select(Order).order_by(Order.id)))


def continue_to_payment(client, result: str | None = None):
    """Pass the paid course, fill in the details, press Continue to payment."""
    result = result or take_quiz(client, "demo-modules")
    response = submit_details(
        client, result, full_name="Ben Okafor", email="ben@example.org", **LICENSE
    )
    assert response.status_code == 303, text_of(response)
    return result, response.headers["Location"]


def session_id_of(checkout_url: str) -> str:
    return checkout_url.rsplit("/", 1)[-1]


def pay(checkout_url: str) -> str:
    """Press Pay on the hosted page; return where Stripe sends the learner back."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(checkout_url, data=b"", method="POST"))
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        return redirect.headers["Location"]
    raise AssertionError("Pay did not redirect")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
