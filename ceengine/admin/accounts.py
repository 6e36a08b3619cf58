"""Admin accounts: creating them, checking a sign-in, locking after repeated failures, and
the server-side sessions that sign-out, password changes and deactivation end."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ceengine.admin.models import AdminSession, AdminUser
from ceengine.admin.roles import OWNER, RANK
from ceengine.admin.two_factor import clear, is_on
from ceengine.audit import trail as audit
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.text import email_key

MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
# Checked when the email is unknown, so an unknown address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """An account change or sign-in that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class Locked(AccountError):
    """Too many failed sign-ins: the account waits before it accepts another."""

    minutes: int

    def __str__(self) -> str:
        return (
            f"Too many failed sign-ins. For your security this account is locked; "
            f"try again in {self.minutes} minute{'s' if self.minutes != 1 else ''}."
        )


class Deactivated(AccountError):
    """The password is right, but an owner has deactivated the account."""

    def __str__(self) -> str:
        return (
            "This admin account is deactivated, so it cannot sign in. "
            "Ask an owner of the console to reactivate it."
        )


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to be safe."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")


def check_email(email: str) -> str:
    """The email as stored (trimmed, lowercased); refused when it is not an address."""
    email = email_key(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError(f"'{email}' is not an email address.")
    return email


def create_admin(email: str, password: str, role: str = OWNER) -> AdminUser:
    """Create an admin account with `role` (kept in the audit trail, by whoever acts)."""
    email = check_email(email)
    if role not in RANK:
        raise AccountError(f"'{role}' is not a role: owner, staff or reviewer.")
    check_password_rules(password)
    user = AdminUser(email=email, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    try:
        db.session.flush()
        audit.record("account_created", email, after={"role": role})
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError(
            f"An admin with the email {email} already exists; use "
            "`ceengine admin set-password` to change the password."
        ) from exc
    return user


def set_password(email: str, password: str) -> AdminUser:
    """Change an admin's password, unlock the account, and end their other sessions."""
    check_password_rules(password)
    user = admin_by_email(email)
    if user is None:
        raise AccountError(f"There is no admin with the email {email_key(email)}.")
    user.password_hash = generate_password_hash(password)
    end_all_sessions(user)
    user.failed_sign_ins, user.locked_until = 0, None
    audit.record("password_changed", user.email)
    db.session.commit()
    return user


def reset_two_factor(email: str, reason: str = "") -> AdminUser:
    """Turn off an admin's second factor (secret and recovery codes) and end their sessions."""
    user = admin_by_email(email)
    if user is None:
        raise AccountError(f"There is no admin with the email {email_key(email)}.")
    return clear_two_factor(user, reason)


def clear_two_factor(user: AdminUser, reason: str = "") -> AdminUser:
    """Reset `user`'s two-factor sign-in and end their sessions: they set it up again at their
    next sign-in where their role requires it. Audited with `reason`; commits."""
    before = {"two_factor": is_on(user)}
    clear(user)
    end_all_sessions(user)
    audit.record(
        "two_factor_reset", user.email, reason=reason, before=before, after={"two_factor": False}
    )
    db.session.commit()
    return user


def end_all_sessions(user: AdminUser) -> None:
    """Sign the admin out everywhere (in the caller's transaction)."""
    db.session.execute(sa.delete(AdminSession).where(AdminSession.admin_id == user.id))


def admin_by_email(email: str) -> AdminUser | None:
    """The admin with this email, if any."""
    return db.session.scalar(sa.select(AdminUser).where(AdminUser.email == email_key(email)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite drops the zone; values are UTC
        moment = moment.replace(tzinfo=utcnow().tzinfo)
    return moment


def start_session(user: AdminUser, browser: str, lifetime: timedelta) -> str:
    """Open a session for an admin who just signed in, from the browser whose User-Agent is
    `browser`; return the token the session cookie carries (only its hash is stored)."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(
        sa.delete(AdminSession).where(
            AdminSession.admin_id == user.id, AdminSession.expires_at <= now
        )
    )
    db.session.add(
        AdminSession(
            token_hash=_digest(token),
            admin_id=user.id,
            browser_hash=_digest(browser),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.commit()
    return token


def admin_for_session(token: str, browser: str) -> AdminUser | None:
    """The admin whose open session this token is, used from the browser that opened it.

    An expired session is deleted. So is one presented by another browser: its cookie was
    copied, and the session ends for the copy and the original alike.
    """
    found = db.session.scalar(
        sa.select(AdminSession).where(AdminSession.token_hash == _digest(token))
    )
    if found is None:
        return None
    if (
        _as_utc(found.expires_at) > utcnow()
        and secrets.compare_digest(found.browser_hash, _digest(browser))
        and found.admin.active
    ):
        return found.admin
    end_session(token)
    return None


def end_session(token: str) -> None:
    """Sign out: the session ends on the server, so no copy of its cookie opens it again."""
    db.session.execute(sa.delete(AdminSession).where(AdminSession.token_hash == _digest(token)))
    db.session.commit()


def _minutes_left(user: AdminUser) -> int:
    seconds = (_as_utc(user.locked_until) - utcnow()).total_seconds()
    return max(0, -(-int(seconds) // 60))


def count_failure(user: AdminUser) -> None:
    """A failed sign-in (a wrong password or second-factor code): after MAX_FAILURES in a
    row the account locks for LOCK_MINUTES (raises Locked). Commits."""
    # Counted in SQL, so failures sent in parallel are all counted.
    failures = db.session.scalar(
        sa.update(AdminUser)
        .where(AdminUser.id == user.id)
        .values(failed_sign_ins=AdminUser.failed_sign_ins + 1)
        .returning(AdminUser.failed_sign_ins)
    )
    if failures >= MAX_FAILURES:
        db.session.execute(
            sa.update(AdminUser)
            .where(AdminUser.id == user.id)
            .values(failed_sign_ins=0, locked_until=utcnow() + timedelta(minutes=LOCK_MINUTES))
        )
        db.session.commit()
        raise Locked(LOCK_MINUTES)
    db.session.commit()


def check_not_locked(user: AdminUser) -> None:
    """Raise Locked while the account waits after repeated failures."""
    if user.locked_until is not None and _minutes_left(user) > 0:
        raise Locked(_minutes_left(user))


def signed_in(user: AdminUser) -> None:
    """Every step of the sign-in passed: the failure count starts again (not committed)."""
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, utcnow()


def authenticate(email: str, password: str) -> AdminUser | None:
    """The admin these credentials belong to, or None; raises Locked while locked out and
    Deactivated for a deactivated account. For an admin with two-factor sign-in the failure
    count is kept until the code is right too (so codes cannot be guessed without end)."""
    user = admin_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    check_not_locked(user)
    if not check_password_hash(user.password_hash, password):
        count_failure(user)
        return None
    if not user.active:
        raise Deactivated()
    if user.two_factor_since is None:
        signed_in(user)
        db.session.commit()
    return user
