"""The orders' running totals: payments, refunds and disputes by course, currency and the
sponsor's day of payment, added to in the transaction that changes the order and rebuilt from
the stored orders by `ceengine admin recount` (ceengine/rollups.py says why they exist).

Refunds and disputes count on the day of the payment they undo, so the stored order alone
says where each figure belongs, and the recount gives back exactly what was added.
"""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.billing.models import DISPUTED, REFUNDED, Order, OrderTally
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from ceengine.rollups import add_to_totals, current_dialect, day_of, sql_day, take_from_totals

TOTALS = (OrderTally,)  # the tables recount_order_totals rebuilds
KEY = ("course_id", "currency", "day")
COUNTED = ("paid", "revenue_cents", "refunds", "refunded_cents", "disputes")


def _row(order: Order, **numbers: int) -> dict:
    assert order.paid_at is not None
    return {
        "course_id": order.attempt.course_id,
        "currency": order.currency,
        "day": day_of(order.paid_at),
        **{name: numbers.get(name, 0) for name in COUNTED},
    }


def revenue_of(order: Order) -> int:
    """What Stripe took for the order (the fee, unless a promotion code lowered it)."""
    return order.amount_paid_cents if order.amount_paid_cents is not None else order.amount_cents


def count_payment(order: Order) -> None:
    """Add a newly paid order (its paid_at and amount just set) to the totals."""
    add_to_totals(
        OrderTally.__table__,
        KEY,
        [
            _row(
                order,
                paid=1,
                revenue_cents=revenue_of(order),
                refunds=int(order.status == REFUNDED),
                refunded_cents=order.amount_refunded_cents or 0,
                disputes=int(order.status == DISPUTED),
            )
        ],
    )


def count_change(order: Order, old_status: str, old_refunded: int) -> None:
    """Add what a refund or a dispute changed on a paid order (from `old_status` and
    `old_refunded` cents) to the totals; a disputed order refunded is no longer disputed."""
    if order.paid_at is None:  # never paid here: nothing of it was counted
        return
    more = {
        "refunded_cents": (order.amount_refunded_cents or 0) - old_refunded,
        "refunds": int(order.status == REFUNDED) - int(old_status == REFUNDED),
        "disputes": int(order.status == DISPUTED) - int(old_status == DISPUTED),
    }
    added = {name: max(value, 0) for name, value in more.items()}
    taken = {name: max(-value, 0) for name, value in more.items()}
    if any(added.values()):
        add_to_totals(OrderTally.__table__, KEY, [_row(order, **added)])
    if any(taken.values()):
        take_from_totals(OrderTally.__table__, KEY, [_row(order, **taken)])


def _one_if(condition: sa.ColumnElement[bool]) -> sa.Case[int]:
    return sa.case((condition, 1), else_=0)


def recount_order_totals() -> None:
    """Replace the order totals with the same sums, in SQL, over every paid order.

    The caller holds the locks and commits.
    """
    o = Order
    day = sql_day(o.paid_at, current_dialect())
    db.session.execute(sa.delete(OrderTally))
    db.session.execute(
        sa.insert(OrderTally).from_select(
            ["course_id", "currency", "day", *COUNTED],
            sa.select(
                Attempt.course_id,
                o.currency,
                day,
                sa.func.count(),
                sa.func.sum(sa.func.coalesce(o.amount_paid_cents, o.amount_cents)),
                sa.func.sum(_one_if(o.status == REFUNDED)),
                sa.func.sum(o.amount_refunded_cents),
                sa.func.sum(_one_if(o.status == DISPUTED)),
            )
            .join(Attempt, Attempt.id == o.attempt_id)
            .where(o.paid_at.is_not(None))
            .group_by(Attempt.course_id, o.currency, day),
        )
    )
