"""Admin accounts (an email, a hashed password, a role, a lock after repeated failures, a
second factor), invitations, their signed-in sessions, and which completions an admin
reported to CE Broker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db


class AdminUser(db.Model):
    """Someone who may sign in to /admin, with a role (ceengine/admin/roles.py).

    A deactivated admin (`active` false) cannot sign in. Two-factor sign-in is on once
    `two_factor_since` is set; `totp_secret` is encrypted (ceengine/admin/two_factor.py) and
    `totp_last_step` is the time step of the last code accepted, so no code is used twice.
    """

    __tablename__ = "admin_users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('owner', 'staff', 'reviewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lowercased
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="owner", server_default="owner")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminRecoveryCode(db.Model):
    """One of an admin's single-use recovery codes (its SHA-256 hash), for a lost phone."""

    __tablename__ = "admin_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminInvitation(db.Model):
    """An owner's invitation to join the console: the emailed link carries a random token
    whose hash is stored here. It works once (`accepted_at`) and until `expires_at`; one
    invitation per email address at a time (`email` is unique)."""

    __tablename__ = "admin_invitations"
    __table_args__ = (
        sa.CheckConstraint("role IN ('owner', 'staff', 'reviewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminSession(db.Model):
    """One sign-in: the session cookie carries a random token whose hash is this row's key.

    Signing out deletes the row, so every copy of the cookie stops working at once; a
    password change deletes all of the admin's rows. `expires_at` is 8 hours after sign-in
    however busy the session, and the browser it was made in is recorded (as a hash of its
    User-Agent) so the cookie is refused in another one.
    """

    __tablename__ = "admin_sessions"
    __table_args__ = (sa.Index("ix_admin_sessions_admin_expires", "admin_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    admin_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_users.id", ondelete="CASCADE"))
    browser_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    admin: Mapped[AdminUser] = relationship()


class CeBrokerReport(db.Model):
    """A certificate's completion, reported to CE Broker (an admin confirmed the upload).

    One row per certificate at most (`certificate_id` is unique), so a double click or a
    retry never records a completion twice; `batch` groups the rows of one upload.
    """

    __tablename__ = "ce_broker_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), unique=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_users.id", ondelete="SET NULL")
    )
    batch: Mapped[str] = mapped_column(sa.String(32), index=True)
