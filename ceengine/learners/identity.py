"""The learner cookie: a random token, signed so it cannot be forged or guessed."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ceengine.extensions import db
from ceengine.learners.models import Learner

COOKIE_NAME = "ceengine_learner"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_SALT = "learner-cookie"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def current_token() -> str | None:
    """The token in this request's learner cookie, if it carries a valid one."""
    if "learner_token" not in g:
        raw = request.cookies.get(COOKIE_NAME)
        try:
            g.learner_token = _serializer().loads(raw) if raw else None
        except BadSignature:
            g.learner_token = None
    return g.learner_token


def ensure_token() -> str:
    """This request's learner token, making a new one (set on the response) when absent."""
    token = current_token()
    if token is None:
        token = g.learner_token = secrets.token_urlsafe(24)
        g.set_learner_cookie = True
    return token


def current_learner() -> Learner | None:
    """The learner row for this request's cookie, if there is one."""
    token = current_token()
    if token is None:
        return None
    return db.session.scalar(sa.select(Learner).where(Learner.token == token))


def learner_for(token: str) -> Learner:
    """The learner with `token`, created on first use (safe when two requests race)."""
    learner = db.session.scalar(sa.select(Learner).where(Learner.token == token))
    if learner is not None:
        return learner
    try:
        with db.session.begin_nested():
            learner = Learner(token=token)
            db.session.add(learner)
    except IntegrityError:
        learner = db.session.scalar(sa.select(Learner).where(Learner.token == token))
    return learner


def set_cookie_if_new(response):
    """After-request hook: send the learner cookie when this request created a token."""
    if g.get("set_learner_cookie"):
        response.set_cookie(COOKIE_NAME, _serializer().dumps(g.learner_token),
                            max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config["PRODUCTION"])
    return response
