"""The orders export: one row per order, as the orders page lists them (same filter, status
`unfulfilled` included), as CSV or an Excel workbook (ceengine/admin/exports.py writes both).

Amounts are in the currency's units (15.00, not 1500 cents; 1 JPY), so a spreadsheet adds
them up as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy.orm import selectinload

from ceengine.admin.exports import BATCH, Export
from ceengine.admin.filters import Filter
from ceengine.admin.records import orders_query
from ceengine.billing.checks import ZERO_DECIMAL_CURRENCIES
from ceengine.billing.models import Order
from ceengine.billing.problems import order_notes
from ceengine.courses.models import Course
from ceengine.extensions import db
from ceengine.localtime import day_of, local
from ceengine.quizzes.models import Attempt

ORDER_COLUMNS = [
    "order",
    "created_date",
    "course",  # the title of the version the quiz was passed on
    "course_slug",
    "email",
    "full_name",
    "currency",
    "amount",
    "status",
    "paid_at",
    "amount_paid",
    "amount_refunded",
    "certificate_number",
    "notes",
]


def in_units(cents: int | None, currency: str) -> Decimal | None:
    """Stripe's minor units as the currency's units: 1500 usd -> 15.00; 1 jpy -> 1."""
    if cents is None:
        return None
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(cents)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def orders_data(report_filter: Filter) -> Export:
    """Every order the filter finds, oldest first."""
    query = (
        orders_query(report_filter)
        .add_columns(Course.slug)
        .join(Course, Course.id == Attempt.course_id)
        .order_by(None)
        .order_by(Order.created_at, Order.id)
        .options(selectinload(Order.payment_problems))
        .execution_options(yield_per=BATCH)
    )

    def rows() -> Iterator[list]:
        for order, title, number, slug in db.session.execute(query):
            currency = order.currency
            yield [
                order.public_id,
                day_of(order.created_at),
                title,
                slug,
                order.details.get("email", ""),
                order.details.get("full_name", ""),
                currency.upper(),
                in_units(order.amount_cents, currency),
                order.status,
                local(order.paid_at) if order.paid_at else None,
                in_units(order.amount_paid_cents, currency),
                in_units(order.amount_refunded_cents or 0, currency),
                number or "",
                " | ".join(order_notes(order)),
            ]

    return Export(ORDER_COLUMNS, rows())
