"""The orders list in the admin console."""

from __future__ import annotations

import pytest

from ceengine.billing.models import Order
from ceengine.extensions import db
from tests.support.factories import attempt_with
from tests.support.html import table_with, text_of
from tests.support.reports import MODULES, body_rows, page

# --- orders --------------------------------------------------------------------------------


@pytest.fixture
def ordered(synced):
    """A paid order and a pending one for the module course (it charges $15)."""
    orders = []
    for status, email in (("paid", "payer@example.org"), ("pending", "waiting@example.org")):
        attempt = attempt_with("demo-modules", [True] * 3)
        order = Order(
            public_id=f"ord_{status}_1",
            attempt_id=attempt.id,
            learner_id=attempt.learner_id,
            amount_cents=1500,
            currency="usd",
            status=status,
            details={"email": email, "full_name": "Pay Er"},
        )
        db.session.add(order)
        orders.append(order)
    db.session.commit()
    return orders


def test_orders_list_status_and_amount_and_say_payments_are_off(ordered, admin):
    response = page(admin, "/admin/orders")

    rows = body_rows(table_with(response, "Orders, newest first"))
    assert sorted((r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows) == [
        ("ord_paid_1", MODULES, "payer@example.org", "$15.00", "Paid", "—"),
        ("ord_pending_1", MODULES, "waiting@example.org", "$15.00", "Pending", "—"),
    ]
    assert "Payments are off: certificates are free until the Stripe keys are set." in text_of(
        response
    )
    assert [
        r[0]
        for r in body_rows(
            table_with(page(admin, "/admin/orders?status=paid"), "Orders, newest first")
        )
    ] == ["ord_paid_1"]


def test_orders_do_not_say_payments_are_off_when_the_keys_are_set(ordered, admin, synced):
    synced.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")

    response = page(admin, "/admin/orders")

    assert "Payments are off" not in text_of(response)
