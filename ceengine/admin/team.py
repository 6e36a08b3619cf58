"""What owners do to admin accounts from the console: invite by an emailed link, set a role,
deactivate and reactivate, reset a lost second factor. Each change is written to the audit
trail, with the owner's reason, in its transaction.

The console always keeps an active owner: the last one can be neither demoted nor
deactivated. The check and the change happen under a lock on the owners' rows (PostgreSQL)
or SQLite's single writer, so two owners demoting each other at once cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ceengine.admin.accounts import (
    AccountError,
    _as_utc,
    admin_by_email,
    check_email,
    check_password_rules,
    clear_two_factor,
    end_all_sessions,
    signed_in,
)
from ceengine.admin.models import AdminInvitation, AdminUser
from ceengine.admin.roles import OWNER, RANK
from ceengine.admin.two_factor import is_on
from ceengine.audit import trail as audit
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.mailer import send_email

LAST_OWNER = (
    "{email} is the last active owner: the console needs one. Make another admin an owner first."
)


@dataclass(frozen=True)
class Invited:
    """A new invitation: the address and the link's token (emailed, never stored)."""

    email: str
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def admins() -> list[AdminUser]:
    """Every admin account: active ones first, then by email."""
    return list(
        db.session.scalars(sa.select(AdminUser).order_by(AdminUser.active.desc(), AdminUser.email))
    )


def open_invitations() -> list[AdminInvitation]:
    """Invitations not yet accepted (expired ones too, so an owner sees them), newest first."""
    return list(
        db.session.scalars(
            sa.select(AdminInvitation)
            .where(AdminInvitation.accepted_at.is_(None))
            .order_by(AdminInvitation.created_at.desc())
        )
    )


def is_expired(invitation: AdminInvitation) -> bool:
    """Whether the invitation's link no longer works."""
    return _as_utc(invitation.expires_at) <= utcnow()


def invite(email: str, role: str, link_for: Callable[[str], str], hours: int) -> Invited:
    """Invite `email` to join with `role`: an invitation valid for `hours`, emailed with the
    link `link_for(token)` in the same transaction as its audit event."""
    email = check_email(email)
    if role not in RANK:
        raise AccountError(f"'{role}' is not a role: owner, staff or reviewer.")
    if admin_by_email(email) is not None:
        raise AccountError(f"{email} is already an admin.")
    waiting = db.session.scalar(sa.select(AdminInvitation).where(AdminInvitation.email == email))
    if waiting is not None and not is_expired(waiting) and waiting.accepted_at is None:
        raise AccountError(
            f"An invitation to {email} is already waiting. Cancel it to send a new one."
        )
    if waiting is not None:
        db.session.delete(waiting)
        db.session.flush()
    token = secrets.token_urlsafe(32)
    actor = audit.current_actor()
    invitation = AdminInvitation(
        email=email,
        role=role,
        token_hash=_digest(token),
        invited_by_id=actor.admin_id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same invitation, sent twice at once
        db.session.rollback()
        raise AccountError(f"An invitation to {email} is already waiting.") from exc
    audit.record("account_invited", email, after={"role": role})
    send_email(
        email,
        f"You are invited to the {role} role of the admin console",
        "emails/admin_invitation.txt",
        kind="admin_invitation",
        client=None,
        commit=False,
        link=link_for(token),
        role=role,
        hours=hours,
        invited_by=actor.name,
    )
    db.session.commit()
    return Invited(email, token)


def cancel_invitation(invitation_id: int, reason: str = "") -> str:
    """Withdraw a waiting invitation (its link stops working); the address it was for."""
    invitation = db.session.get(AdminInvitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        raise AccountError("That invitation is not waiting any more.")
    email = invitation.email
    db.session.delete(invitation)
    audit.record(
        "account_invitation_cancelled", email, reason=reason, before={"role": invitation.role}
    )
    db.session.commit()
    return email


def invitation_for(token: str) -> AdminInvitation | None:
    """The waiting, unexpired invitation this link's token opens, if any."""
    invitation = db.session.scalar(
        sa.select(AdminInvitation).where(AdminInvitation.token_hash == _digest(token))
    )
    if invitation is None or invitation.accepted_at is not None or is_expired(invitation):
        return None
    return invitation


def accept_invitation(token: str, password: str, address: str) -> AdminUser:
    """The invitee sets a password: their account exists, with the invited role. The link
    works once: a second use (or a double submit) is refused."""
    check_password_rules(password)
    invitation = invitation_for(token)
    if invitation is None:
        raise AccountError(NO_INVITATION)
    taken = db.session.execute(
        sa.update(AdminInvitation)
        .where(AdminInvitation.id == invitation.id, AdminInvitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    )
    if taken.rowcount != 1:
        db.session.rollback()
        raise AccountError(NO_INVITATION)
    user = AdminUser(
        email=invitation.email,
        password_hash=generate_password_hash(password),
        role=invitation.role,
    )
    signed_in(user)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError(NO_INVITATION) from exc
    audit.record(
        "account_joined",
        user.email,
        after={"role": user.role},
        actor=audit.Actor(user.email, user.id, address),
    )
    db.session.commit()
    return user


NO_INVITATION = (
    "This invitation link does not work: it was already used, it was cancelled, or it "
    "expired. Ask an owner of the console to invite you again."
)


def _lock_owners() -> int:
    """The number of active owners, with their rows locked until the transaction ends."""
    query = sa.select(AdminUser.id).where(AdminUser.role == OWNER, AdminUser.active.is_(True))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:  # a write first: SQLite then holds its one write lock until the commit
        db.session.execute(
            sa.update(AdminUser).where(AdminUser.id == -1).values(role=AdminUser.role)
        )
    return len(db.session.scalars(query).all())


def _target(admin_id: int) -> AdminUser:
    user = db.session.get(AdminUser, admin_id)
    if user is None:
        raise AccountError("There is no such admin.")
    return user


def change_role(admin_id: int, role: str, reason: str = "") -> AdminUser:
    """Give an admin another role (their sessions continue, with the new role at once)."""
    if role not in RANK:
        raise AccountError(f"'{role}' is not a role: owner, staff or reviewer.")
    owners = _lock_owners()
    user = _target(admin_id)
    if user.role == role:
        db.session.rollback()
        return user
    if user.role == OWNER and user.active and owners <= 1:
        db.session.rollback()
        raise AccountError(LAST_OWNER.format(email=user.email))
    audit.record(
        "account_role_changed",
        user.email,
        reason=reason,
        before={"role": user.role},
        after={"role": role},
    )
    user.role = role
    db.session.commit()
    return user


def set_active(admin_id: int, active: bool, reason: str = "") -> AdminUser:
    """Deactivate an admin (they cannot sign in; their sessions end) or reactivate them."""
    owners = _lock_owners()
    user = _target(admin_id)
    if user.active == active:
        db.session.rollback()
        return user
    if not active and user.role == OWNER and owners <= 1:
        db.session.rollback()
        raise AccountError(LAST_OWNER.format(email=user.email))
    audit.record(
        "account_reactivated" if active else "account_deactivated",
        user.email,
        reason=reason,
        before={"active": user.active},
        after={"active": active},
    )
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.commit()
    return user


def reset_two_factor_of(admin_id: int, reason: str, me: int) -> AdminUser:
    """An owner resets another admin's two-factor sign-in (a lost phone): their secret and
    recovery codes go and their sessions end; they set it up again at their next sign-in
    where their role requires it."""
    user = _target(admin_id)
    if user.id == me:
        raise AccountError(
            "Your own two-factor sign-in is on the Two-factor sign-in page, not here."
        )
    if not is_on(user):
        raise AccountError(f"{user.email} has no two-factor sign-in to reset.")
    return clear_two_factor(user, reason)
