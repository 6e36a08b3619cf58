"""Admin accounts: creating them, checking a sign-in, locking after repeated failures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ceengine.admin.models import AdminUser
from ceengine.certificates.services import email_key as normal_email
from ceengine.extensions import db
from ceengine.models import utcnow

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
        return (f"Too many failed sign-ins. For your security this account is locked; "
                f"try again in {self.minutes} minute{'s' if self.minutes != 1 else ''}.")


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to be safe."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")


def create_admin(email: str, password: str) -> AdminUser:
    """Create an admin account."""
    email = normal_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an email address.")
    check_password_rules(password)
    user = AdminUser(email=email, password_hash=generate_password_hash(password),
                     session_key=secrets.token_urlsafe(16))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError(f"An admin with the email {email} already exists; use "
                           "`ceengine admin set-password` to change the password.") from exc
    return user


def set_password(email: str, password: str) -> AdminUser:
    """Change an admin's password, unlock the account, and end their other sessions."""
    check_password_rules(password)
    user = admin_by_email(email)
    if user is None:
        raise AccountError(f"There is no admin with the email {normal_email(email)}.")
    user.password_hash = generate_password_hash(password)
    user.session_key = secrets.token_urlsafe(16)
    user.failed_sign_ins, user.locked_until = 0, None
    db.session.commit()
    return user


def admin_by_email(email: str) -> AdminUser | None:
    """The admin with this email, if any."""
    return db.session.scalar(sa.select(AdminUser).where(AdminUser.email == normal_email(email)))


def admin_for_session(session_id: str) -> AdminUser | None:
    """Flask-Login's user loader: the admin whose id and session key match the session."""
    user_id, _, key = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or not key:
        return None
    user = db.session.get(AdminUser, int(user_id))
    if user is None or not secrets.compare_digest(user.session_key, key):
        return None
    return user


def _minutes_left(user: AdminUser) -> int:
    locked_until = user.locked_until
    if locked_until.tzinfo is None:  # SQLite drops the zone; values are UTC
        locked_until = locked_until.replace(tzinfo=utcnow().tzinfo)
    seconds = (locked_until - utcnow()).total_seconds()
    return max(0, -(-int(seconds) // 60))


def authenticate(email: str, password: str) -> AdminUser | None:
    """The admin these credentials belong to, or None; raises Locked while locked out."""
    user = admin_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.locked_until is not None and _minutes_left(user) > 0:
        raise Locked(_minutes_left(user))
    if not check_password_hash(user.password_hash, password):
        # Counted in SQL, so failures sent in parallel are all counted.
        failures = db.session.scalar(
            sa.update(AdminUser).where(AdminUser.id == user.id)
            .values(failed_sign_ins=AdminUser.failed_sign_ins + 1)
            .returning(AdminUser.failed_sign_ins))
        if failures >= MAX_FAILURES:
            db.session.execute(sa.update(AdminUser).where(AdminUser.id == user.id).values(
                failed_sign_ins=0, locked_until=utcnow() + timedelta(minutes=LOCK_MINUTES)))
            db.session.commit()
            raise Locked(LOCK_MINUTES)
        db.session.commit()
        return None
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, utcnow()
    db.session.commit()
    return user
