"""The orders page's totals, the unfulfilled filter and the orders exports, after real payments,
refunds and disputes through the local Stripe (tests/support/fake_stripe.py)."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
import stripe
from openpyxl import load_workbook

from ceengine.audit.models import AuditEvent
from ceengine.billing.services import refund_order
from ceengine.billing.stripe_api import retrieve_session
from ceengine.completion.fulfilment import fulfil_session
from ceengine.courses.services import sponsor_today
from ceengine.extensions import db
from tests.support.admin_steps import admin_client
from tests.support.billing_steps import continue_to_payment, local, orders, pay, session_id_of
from tests.support.factories import course_id
from tests.support.html import table_with, text_of
from tests.support.reports import MODULES, body_rows, csv_records, page

TOTALS = "Paid orders, revenue, refunds and disputes per course"
LIST = "Orders, newest first"


@pytest.fixture
def app(stripe_fake, paying_app):
    """The app with payments on, pointed at the local Stripe."""
    return paying_app(stripe_fake)


@pytest.fixture
def admin(app, quick_hashes):
    return admin_client(app)


def paid(app) -> str:
    """A learner passes the paid course and pays; the Checkout Session's id."""
    learner = app.test_client()
    _, checkout = continue_to_payment(learner)
    learner.get(local(pay(checkout)))
    return session_id_of(checkout)


def totals(admin, address: str = "/admin/orders") -> list[list[str]]:
    return body_rows(table_with(page(admin, address), TOTALS))


def test_totals_follow_payments_refunds_and_disputes(app, admin, stripe_fake):
    hook = app.test_client()
    assert "No paid orders." in text_of(page(admin, "/admin/orders"))

    first, second, third = paid(app), paid(app), paid(app)
    assert totals(admin) == [[MODULES, "3", "$45.00", "0", "0", "0"]]

    stripe_fake.deliver(hook, stripe_fake.charge_refunded_event(first, 100))  # partial
    assert totals(admin) == [[MODULES, "3", "$45.00", "0", "$1.00", "0"]]
    stripe_fake.deliver(hook, stripe_fake.charge_refunded_event(first))  # the rest
    event = stripe_fake.charge_refunded_event(second)
    stripe_fake.deliver(hook, event)
    stripe_fake.deliver(hook, event)  # Stripe delivers some events twice: counted once
    stripe_fake.deliver(hook, stripe_fake.dispute_created_event(third))
    assert totals(admin) == [[MODULES, "3", "$45.00", "2", "$30.00", "1"]]

    figures = text_of(page(admin, "/admin"))
    assert "$45.00 revenue (3 paid orders)" in figures
    assert "$30.00 refunded (2 in full)" in figures
    assert "1 disputed payment" in figures
    tomorrow = (sponsor_today() + timedelta(days=1)).isoformat()
    assert "No paid orders in these dates." in text_of(
        page(admin, f"/admin/orders?start={tomorrow}")
    )

    before = totals(admin)
    assert app.test_cli_runner().invoke(args=["admin", "recount"]).exit_code == 0
    db.session.expire_all()
    assert totals(admin) == before


def test_unfulfilled_lists_payments_recorded_but_not_fulfilled(app, admin, stripe_fake):
    paid(app)
    learner = app.test_client()
    continue_to_payment(learner)
    waiting = orders()[-1]
    foreign = stripe_fake.outside_session(waiting.public_id, 1500, "eur")
    stripe_fake.complete(foreign["id"])
    stripe_fake.deliver(
        app.test_client(), stripe_fake.session_event("checkout.session.completed", foreign["id"])
    )

    listing = page(admin, "/admin/orders?status=unfulfilled")
    rows = body_rows(table_with(listing, LIST))
    assert [r[0] for r in rows] == [waiting.public_id]
    assert "Payment problem:" in rows[0][7]
    assert "payments recorded but not fulfilled" in text_of(listing)
    assert "1 payment recorded but not fulfilled" in text_of(page(admin, "/admin"))
    assert len(body_rows(table_with(page(admin, "/admin/orders"), LIST))) == 2


def test_the_orders_export_as_csv_and_xlsx(app, admin, stripe_fake):
    session = paid(app)
    stripe_fake.deliver(app.test_client(), stripe_fake.charge_refunded_event(session, 250))
    (order,) = orders()

    records = csv_records(page(admin, "/admin/exports/orders.csv"))
    assert len(records) == 1
    record = records[0]
    assert record["order"] == order.public_id
    assert record["course"] == MODULES and record["course_slug"] == "demo-modules"
    assert record["email"] == "ben@example.org" and record["full_name"] == "Ben Okafor"
    assert (record["currency"], record["amount"], record["amount_paid"]) == ("USD", "15", "15")
    assert record["amount_refunded"] == "2.5" and record["status"] == "paid"
    assert record["certificate_number"] == order.certificate.number
    assert "$2.50 refunded" in record["notes"]

    response = page(admin, "/admin/exports/orders.xlsx?status=paid")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, row = [[c.value for c in r] for r in sheet.iter_rows()]
    assert header[:3] == ["order", "created_date", "course"]
    assert row[0] == order.public_id and row[7] == 15 and row[11] == Decimal("2.5")
    assert csv_records(page(admin, "/admin/exports/orders.csv?status=refunded")) == []
    exports = db.session.scalars(
        sa.select(AuditEvent.target).where(AuditEvent.action == "export")
    ).all()
    assert {"orders.csv", "orders.xlsx"} <= set(exports)


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=garbage", "Not a valid date value."),
        ("start=2024-02-10&end=2024-02-01", "The end date is before the start date."),
        ("status=lost", "Status: That is not one of the choices."),
    ],
)
def test_a_bad_filter_exports_nothing(app, admin, query, message):
    for export in ("orders.csv", "orders.xlsx"):
        response = admin.get(f"/admin/exports/{export}?{query}")
        assert response.status_code == 400, export
        assert message in text_of(response)
        assert "nothing was exported" in text_of(response)


def test_the_orders_page_links_its_exports_with_its_filter(app, admin):
    html = page(admin, "/admin/orders?status=unfulfilled&start=2024-01-01").get_data(as_text=True)
    assert 'href="/admin/exports/orders.csv?start=2024-01-01&amp;status=unfulfilled"' in html
    assert 'href="/admin/exports/orders.xlsx?start=2024-01-01&amp;status=unfulfilled"' in html
    excel = 'href="/admin/exports/orders.csv?bom=1&amp;start=2024-01-01&amp;status=unfulfilled"'
    assert f"{excel}>CSV for Excel</a>" in html


def test_the_orders_csv_for_excel_starts_with_a_byte_order_mark(app, admin):
    paid(app)
    plain = page(admin, "/admin/exports/orders.csv").get_data()
    marked = page(admin, "/admin/exports/orders.csv?bom=1").get_data()
    assert not plain.startswith(b"\xef\xbb\xbf") and marked == b"\xef\xbb\xbf" + plain


def race(app, action) -> None:
    """Run `action` in two threads at once, each with its own session; no errors."""
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                action()
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_payment_and_a_refund_reported_twice_at_once_count_once(app, admin, stripe_fake):
    learner = app.test_client()
    _, checkout = continue_to_payment(learner)
    session_id = session_id_of(checkout)
    stripe_fake.complete(session_id)
    race(app, lambda: fulfil_session(retrieve_session(session_id)))
    assert totals(admin) == [[MODULES, "1", "$15.00", "0", "0", "0"]]

    charge = stripe_fake.charge_refunded_event(session_id)["data"]["object"]
    race(app, lambda: refund_order(stripe.Charge.construct_from(charge, "sk_test_x")))
    db.session.expire_all()
    assert totals(admin) == [[MODULES, "1", "$15.00", "1", "$15.00", "0"]]
    assert orders()[0].status == "refunded"


def test_the_overview_links_each_course_s_revenue_and_refunds_and_charts_revenue(
    app, admin, stripe_fake
):
    first = paid(app)
    paid(app)
    stripe_fake.deliver(app.test_client(), stripe_fake.charge_refunded_event(first))
    html = page(admin, "/admin").get_data(as_text=True)

    row = re.search(rf'<th scope="row">{MODULES}</th>.*?</tr>', html, re.S).group(0)
    revenue, refunded = re.findall(r'<td><a href="(/admin/orders[^"]*)">([^<]*)</a></td>', row)
    modules = course_id("demo-modules")
    assert revenue == (f"/admin/orders?course={modules}", "$30.00")
    assert refunded == (f"/admin/orders?course={modules}&amp;status=refunded", "$15.00")
    assert len(body_rows(table_with(page(admin, revenue[0]), LIST))) == 2
    listed = body_rows(table_with(page(admin, refunded[0].replace("&amp;", "&")), LIST))
    assert [r[5] for r in listed] == ["Refunded"]

    chart = re.search(r"<figcaption>Revenue by month \(USD\)</figcaption>.*?</svg>", html, re.S)
    assert re.findall(r'class="chart-value">([^<]*)</text>', chart.group(0)) == ["$30.00"]
    by_month = body_rows(table_with(html, "By month: completions, certificates issued and revenue"))
    assert [r[3] for r in by_month] == ["$30.00"]
