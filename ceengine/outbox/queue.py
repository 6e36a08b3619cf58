"""Putting a message in the outbox: once per idempotency key, within the limits for mail anyone
can cause (a form that emails any typed address must not become a way to flood an inbox)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from limits import RateLimitItem, parse
from sqlalchemy.dialects import postgresql, sqlite

from ceengine.audit import trail as audit
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.outbox.models import FAILED, PENDING, SENDING, OutboxMessage

QUEUED, ALREADY_QUEUED, REFUSED = "queued", "already-queued", "refused"
QUEUED_FLAG = "ceengine_mail_queued"  # on the session: wake the worker after its commit
_LIMITS_LOCK = 0x6365656E67696E65  # one PostgreSQL advisory lock for the limit checks
REPEAT, PER_RECIPIENT, PER_CLIENT = "repeat", "recipient", "client"


@dataclass(frozen=True)
class Outcome:
    """What became of a message: queued, already queued, or refused by a limit (and which)."""

    status: str
    refusal: str | None = None  # REPEAT, PER_RECIPIENT or PER_CLIENT
    period: str = ""  # the limit's window in words: "a day", "24 hours"

    def __bool__(self) -> bool:
        """True when the message is (or already was) on its way."""
        return self.status != REFUSED


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name, its bytes and its media type."""

    name: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Message:
    """A rendered message and what the limits need to know about it."""

    recipient: str
    subject: str
    body: str
    kind: str
    key: str | None = None
    client: str | None = None
    about: str | None = None
    window: timedelta | None = None
    html: str | None = None  # the same message as HTML, sent as an alternative to `body`
    attachment: Attachment | None = None


def parse_limit(text: str, setting: str) -> RateLimitItem:
    """A limit such as "5 per day"; a clear error naming the setting otherwise."""
    try:
        return parse(text)
    except ValueError as error:
        raise RuntimeError(
            f"CEENGINE_{setting} must read like '5 per day', not {text!r}."
        ) from error


def period_in_words(item: RateLimitItem) -> str:
    """ "a day", "an hour", "10 minutes": the window of a limit."""
    unit = item.GRANULARITY.name
    if item.multiples == 1:
        return ("an " if unit == "hour" else "a ") + unit
    return f"{item.multiples} {unit}s"


def _digest(message: Message) -> str:
    """The stored idempotency key: the caller's, or else the same message (kind, address,
    text) from the same network on the same day, which is only ever a double click."""
    text = message.key or "\n".join(
        (
            message.kind,
            message.recipient.lower(),
            message.subject,
            message.body,
            message.client or "",
            utcnow().date().isoformat(),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _serialize_limit_checks() -> None:
    """Check-then-insert as one step, also across processes and instances."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LIMITS_LOCK)))
    else:  # a write first: SQLite then holds its one write lock until this transaction ends
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == -1)
            .values(attempts=OutboxMessage.attempts)
        )


def _count_since(since: datetime, *criteria: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.client.is_not(None), OutboxMessage.created_at >= since, *criteria
        )
    )


def _refusal(message: Message) -> Outcome | None:
    """The first limit this message would break, or None."""
    config, now, recipient = current_app.config, utcnow(), message.recipient.lower()
    if message.about is not None or message.window is not None:
        window = message.window or timedelta(hours=config["MAIL_REPEAT_HOURS"])
        same = [OutboxMessage.client == message.client]
        if message.about is not None:
            same.append(OutboxMessage.about == message.about)
        if _count_since(
            now - window,
            OutboxMessage.kind == message.kind,
            OutboxMessage.recipient_key == recipient,
            sa.or_(*same),
        ):
            hours = window.total_seconds() / 3600
            period = (
                f"{hours:g} hour{'' if hours == 1 else 's'}"
                if hours >= 1
                else f"{window.total_seconds():g} seconds"
            )
            return Outcome(REFUSED, REPEAT, period)
    for refusal, setting, criterion in (
        (PER_RECIPIENT, "MAIL_PER_RECIPIENT_LIMIT", OutboxMessage.recipient_key == recipient),
        (PER_CLIENT, "MAIL_PER_CLIENT_LIMIT", OutboxMessage.client == message.client),
    ):
        limit = parse_limit(config[setting], setting)
        since = now - timedelta(seconds=limit.get_expiry())
        if _count_since(since, criterion) >= limit.amount:
            return Outcome(REFUSED, refusal, period_in_words(limit))
    return None


def _insert(values: dict) -> bool:
    """Insert unless the key is already there (no error, so the caller's transaction lives)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    return db.session.execute(statement.returning(OutboxMessage.id)).scalar() is not None


def enqueue(message: Message, commit: bool = True) -> Outcome:
    """Queue `message` in the current transaction (committed unless `commit` is False).

    Limits apply when `message.client` is set (a visitor caused it): one message of a kind to
    an address about the same thing (`about`) or from the same network within a window, and
    the per-address and per-network limits from the settings.
    """
    key = _digest(message)
    if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key)):
        outcome = Outcome(ALREADY_QUEUED)
    else:
        refused = None
        if message.client is not None:
            _serialize_limit_checks()
            refused = _refusal(message)
        if refused is not None:
            current_app.logger.warning(
                "Not emailing %s (%s): the %s limit",
                message.recipient,
                message.kind,
                refused.refusal,
            )
            outcome = refused
        elif _insert(
            {
                "key": key,
                "kind": message.kind,
                "recipient": message.recipient,
                "recipient_key": message.recipient.lower(),
                "subject": message.subject,
                "body": message.body,
                "html": message.html,
                "attachment_name": message.attachment and message.attachment.name,
                "attachment_type": message.attachment and message.attachment.mimetype,
                "attachment": message.attachment and message.attachment.content,
                "client": message.client,
                "about": message.about,
            }
        ):
            db.session.info[QUEUED_FLAG] = True
            outcome = Outcome(QUEUED)
        else:
            outcome = Outcome(ALREADY_QUEUED)
    if commit:
        db.session.commit()
    return outcome


def messages_waiting(limit: int = 100) -> list[OutboxMessage]:
    """Messages not sent yet (waiting or being sent), oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status.in_((PENDING, SENDING)))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def messages_failed(limit: int = 100) -> list[OutboxMessage]:
    """Messages given up on, newest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def count_by_status() -> dict[str, int]:
    """How many messages have each status."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(OutboxMessage.id)).group_by(
            OutboxMessage.status
        )
    )
    return {status: count for status, count in rows}


def retry_failed() -> int:
    """Queue every failed message again, with a fresh set of attempts; how many."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount:
        audit.record("emails_requeued", "failed emails", after={"queued again": result.rowcount})
    db.session.commit()
    return result.rowcount
