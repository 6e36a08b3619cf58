"""Writing audit events, and reading them back for the console's list and its export."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from ceengine.audit.models import AuditEvent
from ceengine.columns import utcnow
from ceengine.extensions import db

# What each action name means, in the words the console shows.
ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_out": "Signed out",
    "two_factor_failed": "Failed two-factor code",
    "certificate_revoked": "Revoked a certificate",
    "certificate_reissued": "Reissued a certificate",
    "certificate_email_resent": "Resent a certificate email",
    "reflection_approved": "Approved a reflection",
    "reflection_hidden": "Hid a reflection",
    "reflection_pending": "Returned a reflection to moderation",
    "reflection_deleted": "Deleted a reflection",
    "export": "Downloaded an export",
    "ce_broker_reported": "Marked completions as reported to CE Broker",
    "account_invited": "Invited an admin",
    "account_invitation_cancelled": "Cancelled an invitation",
    "account_joined": "Accepted an invitation",
    "account_role_changed": "Changed an admin's role",
    "account_deactivated": "Deactivated an admin",
    "account_reactivated": "Reactivated an admin",
    "account_created": "Created an admin",
    "password_changed": "Changed a password",
    "two_factor_enabled": "Turned on two-factor sign-in",
    "two_factor_reset": "Reset two-factor sign-in",
    "two_factor_disabled": "Turned off two-factor sign-in",
    "recovery_codes_renewed": "Made new recovery codes",
    "recovery_code_used": "Signed in with a recovery code",
    "sign_in_throttled": "Sign-in refused: too many attempts",
    "records_purged": "Removed records past retention",
    "totals_recounted": "Rebuilt the running totals",
    "courses_synced": "Synced the courses",
    "emails_requeued": "Queued failed emails again",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: an admin (id and email), the command line, or the system itself."""

    name: str
    admin_id: int | None = None
    address: str = ""


def current_actor() -> Actor:
    """The signed-in admin of this request; else the request's visitor (e.g. a webhook);
    outside a request, the command line and the operating-system user running it."""
    if not has_request_context():
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a bare container)
            user = "unknown user"
        return Actor(f"command line ({user})")
    address = request.remote_addr or ""
    admin = getattr(current_user, "user", None) if current_user else None
    if admin is not None and current_user.is_authenticated:
        return Actor(admin.email, admin.id, address)
    return Actor(f"{request.endpoint or 'request'}", None, address)


def record(
    action: str,
    target: str = "",
    *,
    reason: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Add an event to the current transaction: it is committed with the action it
    describes, or rolled back with it. `action` is a key of ACTIONS."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    who = actor or current_actor()
    event = AuditEvent(
        at=utcnow(),
        admin_id=who.admin_id,
        actor=who.name[:254],
        address=who.address[:64],
        action=action,
        target=target[:200],
        reason=reason or "",
        before=dict(before) if before else None,
        after=dict(after) if after else None,
    )
    db.session.add(event)
    return event


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """The fields the event changed: (field, before, after), in a stable order."""
    before, after = event.before or {}, event.after or {}
    names = list(before) + [name for name in after if name not in before]
    return [(name, before.get(name), after.get(name)) for name in names]


def events_query(action: str = "", q: str = "") -> sa.Select:
    """Events of one action (or any), whose actor or target contains `q`, newest first."""
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                sa.func.lower(AuditEvent.actor).like(like.lower(), escape="\\"),
                sa.func.lower(AuditEvent.target).like(like.lower(), escape="\\"),
            )
        )
    return query
