"""A payment fulfils only its own order, in full: the Checkout Session the app opened for it,
for the fee, in the order's currency and the key's mode. Partial refunds keep the certificate;
a refund, dispute or mismatched payment is told to the learner in words, never a 500.

The app's real `stripe` client talks to a local stand-in for Stripe (tests/support/fake_stripe.py).
"""

from __future__ import annotations

import json

import pytest

from ceengine.extensions import db
from tests.support.admin_steps import admin_client, quick_password_hashes
from tests.support.billing_steps import (
    LICENSE,
    continue_to_payment,
    local,
    orders,
    pay,
    session_id_of,
)
from tests.support.certificate_steps import certificates, submit_details
from tests.support.fake_stripe import FakeStripe
from tests.support.html import table_with, text_of
from tests.support.mail_steps import outbox

CONTACT = "billing@sponsor.test"


@pytest.fixture
def app(stripe_fake, paying_app):
    """The app with payments on (a test-mode key), pointed at the local Stripe."""
    return paying_app(stripe_fake, SPONSOR_CONTACT=CONTACT)


def admin_orders(app, monkeypatch) -> list[list[str]]:
    quick_password_hashes(monkeypatch)
    page = admin_client(app).get("/admin/orders")
    assert page.status_code == 200
    return table_with(page, "Orders, newest first")


def orders_command(app) -> str:
    return app.test_cli_runner().invoke(args=["billing", "orders"]).output


# --- 2. any paid Checkout Session fulfilled any order -----------------------------------------


@pytest.mark.parametrize(
    "amount, currency, livemode",
    [
        (1, "jpy", False),  # ¥1 carrying the learner's $15 order
        (1500, "eur", False),  # the right number in another currency
        (1500, "usd", False),  # the right fee, but a session the app never opened for the order
        (1500, "usd", True),  # a live-mode session against a test-mode key
    ],
)
def test_a_session_the_app_did_not_open_never_fulfils_the_order(
    app, client, stripe_fake, monkeypatch, amount, currency, livemode
):
    continue_to_payment(client)
    (order,) = orders()
    foreign = stripe_fake.outside_session(order.public_id, amount, currency, livemode=livemode)
    stripe_fake.complete(foreign["id"])
    status, body = stripe_fake.deliver(
        client, stripe_fake.session_event("checkout.session.completed", foreign["id"])
    )
    assert status == 200, body  # Stripe stops retrying
    assert certificates() == [] and outbox(app) == []
    db.session.expire_all()
    (order,) = orders()
    assert order.status == "pending" and order.paid_at is None
    (problem,) = order.payment_problems
    assert problem.checkout_session_id == foreign["id"]
    # The learner's own success page does not issue either: their own session is unpaid.
    page = client.get(f"/billing/orders/{order.public_id}/success")
    assert page.status_code == 303 and certificates() == []
    assert "did not go through" in text_of(client.get(page.headers["Location"]))
    # The admin sees it, in the orders list and on the command line.
    (header, row) = admin_orders(app, monkeypatch)
    assert "Pending" in row and any(
        "not opened for this order" in cell or "does not match" in cell for cell in row
    ), row
    output = orders_command(app)
    assert foreign["id"] in output and "problem" in output


def test_the_own_session_in_the_wrong_mode_is_refused_on_the_success_page(app, client, stripe_fake):
    result, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.sessions[session_id]["livemode"] = True  # as if made with a live key
    back = pay(checkout)
    page = client.get(local(back))
    assert page.status_code == 200
    assert certificates() == [] and orders()[0].status == "pending"
    words = text_of(page)
    assert "could not match" in words and f"{CONTACT} and quote order" in words
    assert '<meta http-equiv="refresh"' not in page.get_data(as_text=True)
    (problem,) = orders()[0].payment_problems
    assert "live" in problem.reason
    # Pressing Continue to payment again says the same, and does not open another session.
    response = submit_details(
        client, result, full_name="Ben Okafor", email="ben@example.org", **LICENSE
    )
    assert response.status_code == 409 and f"{CONTACT} and quote order" in text_of(response)
    assert len(stripe_fake.sessions) == 1


@pytest.fixture
def live_fake():
    with FakeStripe(secret_key="sk_live_fake") as fake:
        yield fake


def test_a_live_key_fulfils_live_sessions(live_fake, paying_app):
    app = paying_app(live_fake, SPONSOR_CONTACT=CONTACT)
    client = app.test_client()
    _, checkout = continue_to_payment(client)
    assert live_fake.sessions[session_id_of(checkout)]["livemode"] is True
    response = client.get(local(pay(checkout)))
    assert response.status_code == 303
    assert len(certificates()) == 1 and orders()[0].status == "paid"


@pytest.fixture
def promo_app(stripe_fake, paying_app):
    return paying_app(stripe_fake, SPONSOR_CONTACT=CONTACT, STRIPE_ALLOW_PROMOTION_CODES=True)


def test_a_promotion_code_lowers_the_total_and_still_issues(promo_app, stripe_fake, monkeypatch):
    client = promo_app.test_client()
    _, checkout = continue_to_payment(client)
    stripe_fake.apply_promotion_code(session_id_of(checkout), 500)
    assert client.get(local(pay(checkout))).status_code == 303
    (order,) = orders()
    assert order.status == "paid" and len(certificates()) == 1
    assert order.amount_paid_cents == 1000
    (_, row) = admin_orders(promo_app, monkeypatch)
    assert "$10.00 of $15.00" in " ".join(row)


def test_without_promotion_codes_a_lowered_total_is_refused(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session = stripe_fake.sessions[session_id_of(checkout)]
    session["amount_total"], session["total_details"]["amount_discount"] = 1000, 500
    stripe_fake.complete(session["id"])
    status, _ = stripe_fake.deliver(
        client, stripe_fake.session_event("checkout.session.completed", session["id"])
    )
    assert status == 200 and certificates() == []
    (problem,) = orders()[0].payment_problems
    assert "$10.00" in problem.reason and "$15.00" in problem.reason


def test_an_earlier_session_of_the_same_order_still_fulfils_it(app, client, stripe_fake):
    """A bank payment started in the first session, then new details opened a second one:
    the first payment, when it succeeds, is the order's own and issues the certificate."""
    result, first = continue_to_payment(client)
    stripe_fake.complete(session_id_of(first), paid=False)  # processing
    response = submit_details(
        client, result, full_name="Ben O. Okafor", email="ben@example.org", **LICENSE
    )
    second = response.headers["Location"]
    assert second != first and orders()[0].checkout_session_id == session_id_of(second)
    stripe_fake.succeed_async(session_id_of(first))
    status, _ = stripe_fake.deliver(
        client,
        stripe_fake.session_event("checkout.session.async_payment_succeeded", session_id_of(first)),
    )
    assert status == 200
    assert len(certificates()) == 1 and orders()[0].status == "paid"
    assert orders()[0].payment_problems == []


@pytest.mark.parametrize("field", ["amount_total", "currency", "livemode"])
def test_a_session_event_without_the_fields_checked_is_refused_as_malformed(
    app, client, stripe_fake, field
):
    _, checkout = continue_to_payment(client)
    stripe_fake.complete(session_id_of(checkout))
    event = stripe_fake.session_event("checkout.session.completed", session_id_of(checkout))
    del event["data"]["object"][field]
    status, body = stripe_fake.deliver(client, event)
    assert status == 400 and field in json.loads(body)["error"]
    assert certificates() == []


# --- 3. a partial refund revoked the certificate ----------------------------------------------


def test_a_partial_refund_keeps_the_certificate_and_is_shown_to_the_admin(
    app, client, stripe_fake, monkeypatch
):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    client.get(local(pay(checkout)))
    (certificate,) = certificates()
    status, _ = stripe_fake.deliver(client, stripe_fake.charge_refunded_event(session_id, 100))
    assert status == 200
    db.session.expire_all()
    assert certificate.status == "valid"
    (order,) = orders()
    assert order.status == "paid" and order.amount_refunded_cents == 100
    (_, row) = admin_orders(app, monkeypatch)
    assert "Paid" in row and "$1.00 refunded" in " ".join(row)
    assert "$1.00 refunded" in orders_command(app)
    # The rest refunded: now it is a full refund, and the certificate is revoked.
    stripe_fake.deliver(client, stripe_fake.charge_refunded_event(session_id))
    db.session.expire_all()
    assert certificate.status == "revoked" and certificate.revoked_reason == "refunded"
    assert orders()[0].status == "refunded" and orders()[0].amount_refunded_cents == 1500


@pytest.mark.parametrize("field", ["amount_refunded", "refunded", "amount_captured"])
def test_a_refund_event_without_its_amounts_is_refused_as_malformed(
    app, client, stripe_fake, field
):
    _, checkout = continue_to_payment(client)
    client.get(local(pay(checkout)))
    event = stripe_fake.charge_refunded_event(session_id_of(checkout), 100)
    del event["data"]["object"][field]
    status, body = stripe_fake.deliver(client, event)
    assert status == 400 and field in json.loads(body)["error"]
    assert certificates()[0].status == "valid"


# --- 15. a refund before the certificate: a 500, and "still being processed" forever ----------


def refunded_before_issue(client, stripe_fake):
    result, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    assert stripe_fake.deliver(client, stripe_fake.charge_refunded_event(session_id))[0] == 200
    return result


def test_continue_to_payment_after_a_refund_says_so(app, client, stripe_fake):
    result = refunded_before_issue(client, stripe_fake)
    response = submit_details(
        client, result, full_name="Ben Okafor", email="ben@example.org", **LICENSE
    )
    assert response.status_code == 409
    words = text_of(response)
    assert (
        "refunded" in words
        and "no certificate was issued" in words
        and f"{CONTACT} and quote order" in words
    )
    assert certificates() == [] and len(stripe_fake.sessions) == 1


def test_the_success_page_after_a_refund_says_so(app, client, stripe_fake):
    refunded_before_issue(client, stripe_fake)
    (order,) = orders()
    page = client.get(f"/billing/orders/{order.public_id}/success")
    assert page.status_code == 200
    words = text_of(page)
    assert (
        "refunded" in words
        and "still being processed" not in words
        and f"{CONTACT} and quote order" in words
    )
    assert '<meta http-equiv="refresh"' not in page.get_data(as_text=True)
    assert certificates() == []


def test_a_dispute_before_the_certificate_is_told_on_the_success_page(app, client, stripe_fake):
    """A dispute opened before the app saw the payment: the payment is still the order's own,
    so the certificate is issued (as after a dispute on an issued one, the sponsor reviews)."""
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    assert stripe_fake.deliver(client, stripe_fake.dispute_created_event(session_id))[0] == 200
    (order,) = orders()
    response = client.get(f"/billing/orders/{order.public_id}/success")
    assert response.status_code == 303
    assert len(certificates()) == 1 and orders()[0].status == "disputed"


@pytest.mark.parametrize("state", ["expired", "failed", "never paid"])
def test_an_expired_failed_or_unpaid_checkout_returns_to_the_details_in_words(
    app, client, stripe_fake, state
):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    if state == "expired":
        stripe_fake.expire(session_id)
        stripe_fake.deliver(client, stripe_fake.session_event("expired", session_id))
    elif state == "failed":
        stripe_fake.complete(session_id, paid=False)
        stripe_fake.fail_async(session_id)
        stripe_fake.deliver(client, stripe_fake.session_event("async_payment_failed", session_id))
    (order,) = orders()
    response = client.get(f"/billing/orders/{order.public_id}/success")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "did not go through" in text_of(page)
