"""Admin accounts: an email, a hashed password, and a lock after repeated failures."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ceengine.extensions import db
from ceengine.models import UTCDateTime, utcnow


class AdminUser(UserMixin, db.Model):
    """Someone who may sign in to /admin."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lowercased
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Changes whenever the password does, so changing it signs out every other session.
    session_key: Mapped[str] = mapped_column(sa.String(64))
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """Flask-Login's session id: the row and its current session key."""
        return f"{self.id}:{self.session_key}"
