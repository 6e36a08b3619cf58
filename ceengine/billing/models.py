"""Orders for paid certificates, and the Stripe events already handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.certificates.models import Certificate
from ceengine.extensions import db
from ceengine.models import UTCDateTime, utcnow
from ceengine.quizzes.models import Attempt

PENDING, PAID, EXPIRED, FAILED, REFUNDED, DISPUTED = (
    "pending", "paid", "expired", "failed", "refunded", "disputed")
STATUSES = (PENDING, PAID, EXPIRED, FAILED, REFUNDED, DISPUTED)


class Order(db.Model):
    """The payment for one passed attempt's certificate; one order per attempt.

    Each press of `Continue to payment` opens a new Checkout Session for the same order
    (the previous one is expired), so one attempt can never be paid for as two orders.
    """

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'paid', 'expired', 'failed', 'refunded', "
                           "'disputed')", name="status_known"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.Index("ix_orders_status_created", "status", "created_at"),
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

    attempt: Mapped[Attempt] = relationship()
    certificate: Mapped[Certificate | None] = relationship()


class StripeEvent(db.Model):
    """A Stripe event already handled: a repeated delivery finds it here and does nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
