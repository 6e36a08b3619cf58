"""My certificates sessions: an emailed link opens one, once; signing out ends it.

The browser's session cookie carries a random token; the database keeps its hash, the address
it opens and the id of the link that opened it. The link id is unique, so a link signs in
once even when two browsers use it at the same moment, and a session ended by Sign out (or
past its 8 hours) stays ended in every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, SignInLink
from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db

SESSION_LIFETIME = timedelta(hours=8)


class LinkUsed(Exception):
    """The sign-in link has already opened a session."""


class TranscriptSession(db.Model):
    """One use of one sign-in link: the My certificates session it opened."""

    __tablename__ = "transcript_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email_key: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def open_session(link: SignInLink) -> str:
    """Use a sign-in link: open its session and return the token for the session cookie.

    Raises LinkUsed when the link has opened a session before (its id is unique).
    """
    now = utcnow()
    # A row is kept while its link could still be presented; older rows are not needed.
    db.session.execute(
        sa.delete(TranscriptSession).where(
            TranscriptSession.created_at < now - timedelta(seconds=SIGN_IN_MAX_AGE),
            TranscriptSession.expires_at < now,
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        TranscriptSession(
            link_id=link.link_id,
            token_hash=_digest(token),
            email_key=link.email,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise LinkUsed from exc
    return token


def link_was_used(link: SignInLink) -> bool:
    """Whether this sign-in link has already opened a session."""
    return db.session.scalar(
        sa.select(sa.exists().where(TranscriptSession.link_id == link.link_id))
    )


def session_of_link(link: SignInLink, token: str | None) -> bool:
    """Whether `token` is the open session this link opened (the same browser, back again)."""
    return (
        bool(token)
        and address_of_session(token) is not None
        and db.session.scalar(
            sa.select(
                sa.exists().where(
                    TranscriptSession.link_id == link.link_id,
                    TranscriptSession.token_hash == _digest(token),
                )
            )
        )
    )


def address_of_session(token: str) -> str | None:
    """The address an open (not ended, not expired) session shows certificates for."""
    found = db.session.scalar(
        sa.select(TranscriptSession).where(TranscriptSession.token_hash == _digest(token))
    )
    if found is None or found.ended_at is not None or _as_utc(found.expires_at) <= utcnow():
        return None
    return found.email_key


def end_session(token: str) -> None:
    """Sign out: the session ends on the server, so no copy of its cookie opens it again."""
    db.session.execute(
        sa.update(TranscriptSession)
        .where(TranscriptSession.token_hash == _digest(token), TranscriptSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()
