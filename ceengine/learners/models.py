"""A learner, identified by the random token in their signed cookie."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ceengine.extensions import db
from ceengine.models import UTCDateTime, utcnow


class Learner(db.Model):
    """Someone who has submitted a quiz; no account, no personal data here."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
