"""Paying for a certificate with Stripe Checkout: exactly once, whatever order events come in.

The app's real `stripe` client talks to a local stand-in for Stripe (tests/support/fake_stripe.py).
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa

from ceengine.billing.models import StripeEvent
from ceengine.billing.stripe_api import retrieve_session
from ceengine.completion.fulfilment import fulfil_session
from ceengine.extensions import db
from tests.support.app import make_app
from tests.support.billing_steps import (
    LICENSE,
    continue_to_payment,
    local,
    orders,
    pay,
    session_id_of,
)
from tests.support.certificate_steps import certificates, details_page, submit_details, take_quiz
from tests.support.html import form_in, text_of
from tests.support.mail_steps import outbox


@pytest.fixture
def app(stripe_fake, paying_app):
    """The app with payments on, pointed at the local Stripe."""
    return paying_app(stripe_fake)


def test_continue_to_payment_opens_a_checkout_session_for_the_order(app, client, stripe_fake):
    result = take_quiz(client, "demo-modules")
    _, page = details_page(client, result)
    assert 'value="Continue to payment"' in page.get_data(as_text=True)
    assert "$15.00" in text_of(page)
    _, checkout = continue_to_payment(client, result)
    assert checkout.startswith(stripe_fake.url + "/pay/cs_")
    (order,) = orders()
    session = stripe_fake.sessions[session_id_of(checkout)]
    assert order.status == "pending" and order.checkout_session_id == session["id"]
    assert session["client_reference_id"] == order.public_id
    assert session["amount_total"] == 1500 and session["currency"] == "usd"
    assert session["customer_email"] == "ben@example.org"
    assert certificates() == []


def test_paying_issues_the_certificate_on_return(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    back = pay(checkout)
    response = client.get(local(back))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Payment received" in text_of(page) and "Download certificate (PDF)" in text_of(page)
    (certificate,) = certificates()
    (order,) = orders()
    assert order.status == "paid" and order.certificate_id == certificate.id
    assert certificate.full_name == "Ben Okafor" and certificate.license_number == "RN-55"
    (receipt,) = outbox(app)
    assert "$15.00" in receipt.body and certificate.number in receipt.body


def test_the_receipt_is_html_too_with_the_certificate_attached(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    client.get(local(pay(checkout)))
    (certificate,) = certificates()
    (order,) = orders()
    (receipt,) = outbox(app)
    ((html, mimetype),) = receipt.alternatives
    assert mimetype == "text/html"
    assert "$15.00" in html and order.public_id in html and certificate.number in html
    assert "Ben Okafor" in html
    assert receipt.attachments == [(certificate.filename, certificate.pdf, "application/pdf")]
    assert "attached to this email as a PDF" in receipt.body


def test_cancelling_returns_to_the_details_with_everything_kept(app, client, stripe_fake):
    result, checkout = continue_to_payment(client)
    cancel_url = stripe_fake.sessions[session_id_of(checkout)]["cancel_url"]
    response = client.get(local(cancel_url))
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Payment cancelled" in text_of(page)
    assert 'value="Ben Okafor"' in html and 'value="RN-55"' in html
    assert certificates() == []


def test_pressing_continue_again_returns_to_the_same_checkout(app, client, stripe_fake):
    result, first = continue_to_payment(client)
    _, second = continue_to_payment(client, result)
    assert first == second
    assert stripe_fake.sessions[session_id_of(first)]["status"] == "open"
    assert len(orders()) == 1 and len(stripe_fake.sessions) == 1


def test_changed_details_close_the_first_checkout_and_open_another(app, client, stripe_fake):
    result, first = continue_to_payment(client)
    response = submit_details(
        client, result, full_name="Ben O. Okafor", email="ben@example.org", **LICENSE
    )
    second = response.headers["Location"]
    assert first != second
    assert stripe_fake.sessions[session_id_of(first)]["status"] == "expired"
    assert orders()[0].details["full_name"] == "Ben O. Okafor"
    assert len(orders()) == 1


def test_a_slow_payment_shows_a_processing_page_that_refreshes(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id, paid=False)
    (order,) = orders()
    page = client.get(f"/billing/orders/{order.public_id}/success")
    assert page.status_code == 200
    assert "still being processed" in text_of(page)
    assert '<meta http-equiv="refresh"' in page.get_data(as_text=True)
    stripe_fake.succeed_async(session_id)
    status, _ = stripe_fake.deliver(
        client, stripe_fake.session_event("checkout.session.async_payment_succeeded", session_id)
    )
    assert status == 200
    assert len(certificates()) == 1
    assert client.get(f"/billing/orders/{order.public_id}/success").status_code == 303


def test_the_webhook_alone_issues_the_certificate(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    status, body = stripe_fake.deliver(
        client, stripe_fake.session_event("checkout.session.completed", session_id)
    )
    assert status == 200 and json.loads(body)["outcome"] == "handled"
    (certificate,) = certificates()
    # The learner comes back later: the same certificate, no second receipt.
    response = client.get(
        local(
            stripe_fake.sessions[session_id]["success_url"].replace(
                "{CHECKOUT_SESSION_ID}", session_id
            )
        )
    )
    assert response.status_code == 303 and len(certificates()) == 1
    assert len(outbox(app)) == 1


def test_a_replayed_event_changes_nothing(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    event = stripe_fake.session_event("checkout.session.completed", session_id)
    first = stripe_fake.deliver(client, event)
    second = stripe_fake.deliver(client, event)
    assert first[0] == second[0] == 200
    assert json.loads(second[1])["outcome"] == "already handled"
    assert len(certificates()) == 1 and len(outbox(app)) == 1
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 1


@pytest.mark.parametrize("forgery", ["wrong secret", "stale", "no header", "altered body"])
def test_a_forged_or_stale_webhook_gets_400_and_changes_nothing(app, client, stripe_fake, forgery):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    event = stripe_fake.session_event("checkout.session.completed", session_id)
    payload = stripe_fake.payload(event)
    header = stripe_fake.sign(payload)
    if forgery == "wrong secret":
        header = stripe_fake.sign(payload, secret="whsec_someone_else")
    elif forgery == "stale":
        header = stripe_fake.sign(payload, timestamp=int(time.time()) - 301)
    elif forgery == "no header":
        header = ""
    else:
        payload = payload.replace(b'"paid"', b'"unpaid"', 1)
    response = client.post(
        "/billing/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": header},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert certificates() == [] and orders()[0].status == "pending"
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 0


def test_a_signed_body_that_is_not_json_gets_400(app, client, stripe_fake):
    payload = b"{not json"
    response = client.post(
        "/billing/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": stripe_fake.sign(payload)},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_an_unknown_event_type_is_acknowledged_and_ignored(app, client, stripe_fake):
    event = stripe_fake.event("customer.created", {"id": "cus_1", "object": "customer"})
    status, body = stripe_fake.deliver(client, event)
    assert status == 200 and json.loads(body)["outcome"] == "ignored"


def test_a_refund_revokes_the_certificate(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    client.get(local(pay(checkout)))
    (certificate,) = certificates()
    status, _ = stripe_fake.deliver(client, stripe_fake.charge_refunded_event(session_id))
    assert status == 200
    db.session.expire_all()
    assert certificate.status == "revoked" and certificate.revoked_reason == "refunded"
    assert orders()[0].status == "refunded"
    verify = text_of(client.get(f"/verify/{certificate.number}"))
    assert "Revoked" in verify and "refunded" in verify


def test_a_refund_before_the_payment_event_means_no_certificate(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    completed = stripe_fake.session_event("checkout.session.completed", session_id)
    refunded = stripe_fake.charge_refunded_event(session_id)
    assert stripe_fake.deliver(client, refunded)[0] == 200  # out of order
    assert stripe_fake.deliver(client, completed)[0] == 200
    assert certificates() == [] and orders()[0].status == "refunded"


def test_a_dispute_flags_the_order(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    client.get(local(pay(checkout)))
    assert stripe_fake.deliver(client, stripe_fake.dispute_created_event(session_id))[0] == 200
    assert orders()[0].status == "disputed"
    assert certificates()[0].status == "valid"


@pytest.mark.parametrize(
    "event_type, change, status",
    [
        ("checkout.session.expired", "expire", "expired"),
        ("checkout.session.async_payment_failed", "fail", "failed"),
    ],
)
def test_expired_and_failed_sessions_mark_the_order(
    app, client, stripe_fake, event_type, change, status
):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    if change == "expire":
        stripe_fake.expire(session_id)
    else:
        stripe_fake.complete(session_id, paid=False)
        stripe_fake.fail_async(session_id)
    assert stripe_fake.deliver(client, stripe_fake.session_event(event_type, session_id))[0] == 200
    assert orders()[0].status == status and certificates() == []


def test_the_success_page_and_the_webhook_racing_issue_one_certificate(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    barrier, errors = threading.Barrier(2), []

    def fulfil() -> None:
        try:
            with app.app_context():
                session = retrieve_session(session_id)
                barrier.wait()
                fulfil_session(session)
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=fulfil) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert len(certificates()) == 1
    assert orders()[0].status == "paid" and len(outbox(app)) == 1


def test_someone_else_cannot_open_my_order(app, client, stripe_fake):
    continue_to_payment(client)
    (order,) = orders()
    stranger = app.test_client()
    assert stranger.get(f"/billing/orders/{order.public_id}/success").status_code == 404


def test_the_orders_command_lists_orders(app, client, stripe_fake):
    _, checkout = continue_to_payment(client)
    client.get(local(pay(checkout)))
    output = app.test_cli_runner().invoke(args=["billing", "orders"]).output
    (order,) = orders()
    assert order.public_id in output and "paid" in output and "$15.00" in output
    assert (
        "No orders."
        in app.test_cli_runner().invoke(args=["billing", "orders", "--status", "refunded"]).output
    )


def test_the_webhook_is_not_there_when_payments_are_off(synced_without_payments):
    response = synced_without_payments.post("/billing/stripe/webhook", data=b"{}")
    assert response.status_code == 404


@pytest.fixture
def synced_without_payments(database_url, courses_dir):
    app = make_app(database_url, courses_dir)
    with app.app_context():
        yield app.test_client()
        db.engine.dispose()


def test_the_details_form_still_works_when_stripe_is_down(app, client, stripe_fake):
    result = take_quiz(client, "demo-modules")
    stripe_fake.close()
    address, page = details_page(client, result)
    form = form_in(page.get_data(as_text=True), "full_name")
    data = {
        **form.hidden,
        **form.values,
        "full_name": "Ben Okafor",
        "email": "ben@example.org",
        **LICENSE,
        "attest": "y",
        "issue": form.submits["issue"],
    }
    response = client.post(address, data=data)
    assert response.status_code == 503
    assert "payment service could not be reached" in text_of(response)
    assert 'value="Ben Okafor"' in response.get_data(as_text=True)


def test_an_order_whose_checkout_never_opened_returns_to_the_details(app, client, stripe_fake):
    result = take_quiz(client, "demo-modules")
    stripe_fake.close()  # Stripe is down: the order exists, its session does not
    address, page = details_page(client, result)
    form = form_in(page.get_data(as_text=True), "full_name")
    client.post(
        address,
        data={
            **form.hidden,
            **form.values,
            "full_name": "Ben Okafor",
            "email": "ben@example.org",
            **LICENSE,
            "attest": "y",
            "issue": form.submits["issue"],
        },
    )
    (order,) = orders()
    assert order.checkout_session_id is None
    response = client.get(f"/billing/orders/{order.public_id}/success")
    assert response.status_code == 303 and response.headers["Location"].endswith(address)
