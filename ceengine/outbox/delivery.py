"""Sending what the outbox holds: claim due messages, send each, record the result.

Claims are safe when several processes or instances share the database: on PostgreSQL the
due rows are locked with `FOR UPDATE SKIP LOCKED` while they are marked as being sent; on
SQLite the claim is a single UPDATE, which SQLite's one write lock makes atomic. SMTP runs with
no transaction open, so a slow mail server never holds a lock.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy.orm import Session

from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.outbox.models import FAILED, PENDING, SENDING, SENT, OutboxMessage

# A message still "sending" after this long belongs to a worker that died: try it again.
CLAIM_TIMEOUT = timedelta(minutes=10)
LONGEST_WAIT = timedelta(hours=1)


@dataclass
class Batch:
    """What one delivery run did."""

    sent: int = 0
    deferred: int = 0  # failed this time, to be tried again
    failed: int = 0  # given up on (an admin sees them)

    @property
    def handled(self) -> int:
        """Messages this run tried to send."""
        return self.sent + self.deferred + self.failed


def _due(now: datetime):
    return sa.or_(
        sa.and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )


def _claim(session: Session, now: datetime, size: int) -> list[OutboxMessage]:
    """Mark up to `size` due messages as being sent by this worker, and return them."""
    if session.scalar(sa.select(OutboxMessage.id).where(_due(now)).limit(1)) is None:
        session.rollback()  # nothing due: no write, so SQLite's write lock stays free
        return []
    due = sa.select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(size)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    token = uuid.uuid4().hex
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=SENDING, claim=token, claimed_at=now, attempts=OutboxMessage.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.claim == token, OutboxMessage.status == SENDING)
            .order_by(OutboxMessage.id)
        )
    )


def _permanent(error: Exception) -> bool:
    """The server said this recipient will never accept mail (5xx for every recipient)."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _ in error.recipients.values()
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling, at most an hour."""
    first = timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"])
    return min(first * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The message as sent: plain text, with its HTML alternative and its attachment if any."""
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body, to=[message.recipient]
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if message.attachment_name and message.attachment is not None:
        email.attach(message.attachment_name, message.attachment, message.attachment_type)
    return email


def _send(session: Session, message: OutboxMessage, now: datetime, batch: Batch) -> None:
    email = _email(message)
    try:
        email.send()
    except Exception as error:  # SMTP and socket errors vary: record, retry or give up
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        if _permanent(error) or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.status = FAILED
            batch.failed += 1
        else:
            message.status = PENDING
            message.next_attempt_at = now + retry_delay(message.attempts)
            batch.deferred += 1
        # No traceback: a mail server being down is an event, not a bug.
        current_app.logger.warning(
            "Email %s to %s not sent (try %s): %s",
            message.id,
            message.recipient,
            message.attempts,
            message.last_error,
        )
    else:
        message.status, message.sent_at, message.body = SENT, utcnow(), ""
        message.html = message.attachment = None
        batch.sent += 1
    message.claim = None
    session.commit()


def deliver_due(now: datetime | None = None, size: int = 50) -> Batch:
    """Send every message that is due at `now` (default: now); what happened.

    Uses its own database session: it also runs right after another session's commit.
    """
    now = now or utcnow()
    batch = Batch()
    with Session(db.engine) as session:
        while True:
            claimed = _claim(session, now, size)
            for message in claimed:
                _send(session, message, now, batch)
            if len(claimed) < size:
                return batch
