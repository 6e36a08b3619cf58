"""An email waiting in the outbox, being sent, sent, or failed for good."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class OutboxMessage(db.Model):
    """One rendered email to one recipient, and what happened when we tried to send it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_recipient", "recipient_key", "created_at"),
        sa.Index("ix_outbox_messages_client", "client", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A digest of the caller's idempotency key: a retry or double click never queues twice.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    recipient_key: Mapped[str] = mapped_column(sa.String(254))  # lower-cased, for the limits
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)  # emptied once sent: it may hold a sign-in link
    html: Mapped[str | None] = mapped_column(sa.Text)  # the HTML alternative; emptied too
    # One attached file (the certificate PDF), dropped once sent like the body.
    attachment_name: Mapped[str | None] = mapped_column(sa.String(200))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(100))
    attachment: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # The visitor's network address when anyone could have caused the message (limits);
    # None for mail the sponsor's side sends (receipts, admin reissues).
    client: Mapped[str | None] = mapped_column(sa.String(64))
    about: Mapped[str | None] = mapped_column(sa.String(100))  # e.g. "learner:12"
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    claim: Mapped[str | None] = mapped_column(sa.String(32))  # which worker is sending it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
