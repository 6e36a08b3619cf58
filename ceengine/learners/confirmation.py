"""Confirming a learner's email address with a link that works once.

Courses that limit attempts or impose a wait count attempts per confirmed address, so a new
cookie does not start the count over. The link is a timed itsdangerous token (its own salt)
naming a one-time nonce stored in `email_confirmations`.
"""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.learners.identity import learner_for
from ceengine.learners.models import EmailConfirmation, Learner
from ceengine.text import email_key

CONFIRM_SALT = "learner-email-confirmation"
CONFIRM_MAX_AGE = 24 * 3600
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+")


class ConfirmationError(Exception):
    """A confirmation link that cannot be used any more (expired or used); for the learner."""


class UnknownLink(ConfirmationError):
    """A link we never made (altered, cut or guessed)."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def new_confirmation_token(email: str) -> str:
    """Store a one-time confirmation for `email` and return the token for its link."""
    nonce = secrets.token_urlsafe(24)
    db.session.add(EmailConfirmation(nonce=nonce, email_key=email_key(email)))
    db.session.commit()
    return _serializer().dumps(nonce)


def pending_confirmation(token: str) -> EmailConfirmation:
    """The unused confirmation a genuine token names; raises ConfirmationError otherwise."""
    nonce = None
    if _TOKEN_SHAPE.fullmatch(token):
        try:
            nonce = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
        except SignatureExpired as expired:
            raise ConfirmationError(
                "That confirmation link has expired. Ask for a new one on the quiz page."
            ) from expired
        except BadSignature:
            nonce = None
    row = (
        db.session.scalar(sa.select(EmailConfirmation).where(EmailConfirmation.nonce == nonce))
        if isinstance(nonce, str)
        else None
    )
    if row is None:
        raise UnknownLink(
            "That confirmation link is not valid. Ask for a new one on the quiz page."
        )
    if row.used_at is not None:
        raise ConfirmationError(
            "That confirmation link has already been used. If this "
            "browser is not confirmed yet, ask for a new link on the "
            "quiz page."
        )
    return row


def confirm_learner(token: str, learner_token: str) -> str:
    """Use the link once: this browser's learner is confirmed for its address (returned)."""
    row = pending_confirmation(token)
    # One UPDATE decides who uses the link: a second click or a copied link finds it used.
    used = db.session.execute(
        sa.update(EmailConfirmation)
        .where(EmailConfirmation.id == row.id, EmailConfirmation.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        db.session.rollback()
        raise ConfirmationError(
            "That confirmation link has already been used. If this "
            "browser is not confirmed yet, ask for a new link on the "
            "quiz page."
        )
    learner = learner_for(learner_token)
    learner.email_key, learner.confirmed_at = row.email_key, utcnow()
    db.session.commit()
    return row.email_key


def confirmed_email(learner: Learner | None) -> str | None:
    """The address this learner's browser confirmed, if any."""
    return learner.email_key if learner is not None and learner.confirmed_at else None
