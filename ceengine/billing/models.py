"""Orders for paid certificates, and the Stripe events already handled."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.certificates.models import Certificate
from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt

PENDING, PAID, EXPIRED, FAILED, REFUNDED, DISPUTED = (
    "pending",
    "paid",
    "expired",
    "failed",
    "refunded",
    "disputed",
)
STATUSES = (PENDING, PAID, EXPIRED, FAILED, REFUNDED, DISPUTED)


class Order(db.Model):
    """The payment for one passed attempt's certificate; one order per attempt.

    Each press of `Continue to payment` opens a new Checkout Session for the same order
    (the previous one is expired), so one attempt can never be paid for as two orders. Every
    session opened is kept in `checkout_sessions`; only those can fulfil the order.
    """

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'expired', 'failed', 'refunded', 'disputed')",
            name="status_known",
        ),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("amount_refunded_cents >= 0", name="amount_refunded_not_negative"),
        sa.Index("ix_orders_status_created", "status", "created_at"),
        sa.Index("ix_orders_created", "created_at", "id"),  # the admin list, newest first
        sa.Index("ix_orders_learner", "learner_id", "created_at"),  # the admin's learner page
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"), unique=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id"))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(12), default=PENDING)
    # The details the learner confirmed, printed on the certificate once paid.
    details: Mapped[dict] = mapped_column(sa.JSON)
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    sessions_opened: Mapped[int] = mapped_column(default=0)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What Stripe took (below the fee only by a promotion code), and refunded so far.
    amount_paid_cents: Mapped[int | None]
    amount_refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")

    attempt: Mapped[Attempt] = relationship()
    certificate: Mapped[Certificate | None] = relationship()
    payment_problems: Mapped[list[PaymentProblem]] = relationship(
        back_populates="order", lazy="selectin", order_by="PaymentProblem.id"
    )


class CheckoutSession(db.Model):
    """A Checkout Session the app opened for an order: the only payments that fulfil it.

    An order may have several (new details open a new one); an earlier one can still be paid
    (a bank payment that was processing when the details changed), so all of them count.
    """

    __tablename__ = "checkout_sessions"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)  # Stripe's cs_…
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentProblem(db.Model):
    """A paid Checkout Session that names an order but cannot fulfil it, kept for the admin:
    not one the app opened for the order, or the wrong amount, currency or mode."""

    __tablename__ = "payment_problems"
    __table_args__ = (sa.UniqueConstraint("order_id", "checkout_session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    checkout_session_id: Mapped[str] = mapped_column(sa.String(255))
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255))
    amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str | None] = mapped_column(sa.String(16))
    livemode: Mapped[bool | None]
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payment_problems")


class StripeEvent(db.Model):
    """A Stripe event already handled: a repeated delivery finds it here and does nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderTally(db.Model):
    """Paid orders of one course, in one currency, by the sponsor's day of payment: how many,
    what was taken, what was refunded and how many were disputed (refunds and disputes count
    on the day of the payment they undo, so a period's figures describe its sales).

    Kept in the same transaction as each payment, refund and dispute, so the admin overview
    and the orders page read a few rows per day instead of every order (ceengine/rollups.py).
    """

    __tablename__ = "order_tallies"
    __table_args__ = (
        sa.CheckConstraint(
            "paid >= 0 AND revenue_cents >= 0 AND refunds >= 0 AND refunded_cents >= 0 "
            "AND disputes >= 0",
            name="not_negative",
        ),
    )

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    paid: Mapped[int] = mapped_column(default=0)
    revenue_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refunds: Mapped[int] = mapped_column(default=0)  # orders refunded in full
    refunded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # full and partial
    disputes: Mapped[int] = mapped_column(default=0)
