"""A learner, identified by the random token in their signed cookie, and email confirmations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db


class Learner(db.Model):
    """Someone who has opened a course or submitted a quiz; no account. A confirmed email
    only where a course limits attempts (the retake policy counts per confirmed address)."""

    __tablename__ = "learners"
    __table_args__ = (
        # The admin's learner search by the start of a confirmed address (PostgreSQL's LIKE
        # 'prefix%' needs text_pattern_ops; on SQLite it is a plain index, like the other).
        sa.Index(
            "ix_learners_email_prefix",
            "email_key",
            postgresql_ops={"email_key": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_key: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailConfirmation(db.Model):
    """One emailed confirmation link; `used_at` is set once, so the link works once."""

    __tablename__ = "email_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email_key: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
