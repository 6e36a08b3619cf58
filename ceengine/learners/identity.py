"""The learner cookie: a random token, signed so it cannot be forged or guessed."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Response, current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ceengine.extensions import db
from ceengine.learners.models import Learner

COOKIE_NAME = "ceengine_learner"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_SALT = "learner-cookie"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


_TOKEN_KEY = "ceengine.learner_token"
_NEW_KEY = "ceengine.learner_token_is_new"


def current_token() -> str | None:
    """The token in this request's learner cookie, if it carries a valid one."""
    # Cached on the request itself: it belongs to this request, whatever app context is active.
    if _TOKEN_KEY not in request.environ:
        raw = request.cookies.get(COOKIE_NAME)
        try:
            token = _serializer().loads(raw) if raw else None
        except BadSignature:
            token = None
        request.environ[_TOKEN_KEY] = token if isinstance(token, str) else None
    return request.environ[_TOKEN_KEY]


def ensure_token() -> str:
    """This request's learner token, making a new one (set on the response) when absent."""
    token = current_token()
    if token is None:
        token = request.environ[_TOKEN_KEY] = secrets.token_urlsafe(24)
        request.environ[_NEW_KEY] = True
    return token


def token_is_new() -> bool:
    """Whether this request made the learner token (the browser sent no learner cookie)."""
    return bool(request.environ.get(_NEW_KEY))


_LEARNER_KEY = "ceengine.learner"


def current_learner() -> Learner | None:
    """The learner row for this request's cookie, if there is one (read once per request)."""
    token = current_token()
    if token is None:
        return None
    return learner_with_token(token)


def learner_with_token(token: str) -> Learner | None:
    """The learner with `token`, if stored; this request's own learner is read only once.

    Kept on the request only while the row is in the session's database state: a rollback
    that undid its insert (or a closed session) makes the next call read again.
    """
    if not has_request_context() or token != current_token():
        return db.session.scalar(sa.select(Learner).where(Learner.token == token))
    held = request.environ.get(_LEARNER_KEY)
    if held is not None and _still_stored(held):
        return held
    learner = db.session.scalar(sa.select(Learner).where(Learner.token == token))
    request.environ[_LEARNER_KEY] = learner
    return learner


def _still_stored(learner: Learner) -> bool:
    state = sa.inspect(learner)
    return state.persistent and state.session is db.session()


def learner_for(token: str) -> Learner:
    """The learner with `token`, created on first use (safe when two requests race)."""
    learner = learner_with_token(token)
    if learner is not None:
        return learner
    try:
        with db.session.begin_nested():
            learner = Learner(token=token)
            db.session.add(learner)
    except IntegrityError:
        learner = db.session.scalar(sa.select(Learner).where(Learner.token == token))
    return learner


def set_cookie_if_new(response: Response) -> Response:
    """After-request hook: send the learner cookie when this request created a token."""
    if request.environ.get(_NEW_KEY):
        response.set_cookie(
            COOKIE_NAME,
            _serializer().dumps(request.environ[_TOKEN_KEY]),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["PRODUCTION"],
        )
    return response
