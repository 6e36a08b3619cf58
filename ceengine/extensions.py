"""Flask extensions, created unbound and initialised in `create_app`."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

# Stable constraint names make migrations reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
talisman = Talisman()
# Memory storage by default; CEENGINE_RATELIMIT_STORAGE_URI=redis://… when several instances run.
limiter = Limiter(get_remote_address)
_LIMITER_MARK = "__wrapper-limiter-instance"  # set by @limiter.limit on the view it wraps


_IN_MIDDLEWARE = "ceengine_limiter_middleware"


@limiter.request_filter
def _nothing_to_check_here() -> bool:
    """Every limit here is on its route (no default limits), and the route's decorator checks
    it: the limiter's own before-request pass has nothing to check, and a route without a
    limit skips the limiter's per-request work altogether."""
    if g.get(_IN_MIDDLEWARE):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, _LIMITER_MARK, None) is None


def _init_limiter(app: Flask) -> None:
    """Bind the limiter, its before-request pass marked (see _nothing_to_check_here)."""
    app.before_request(lambda: setattr(g, _IN_MIDDLEWARE, True))
    limiter.init_app(app)
    app.before_request(lambda: g.pop(_IN_MIDDLEWARE, None) and None)


mail = Mail()
login_manager = LoginManager()
login_manager.session_protection = None  # sessions are checked on the server (admin/sessions)

EMBED_ORIGINS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "media-src": "'self'",
    "frame-src": EMBED_ORIGINS,
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _sqlite_local_day(stamp: str | None, zone: str) -> str | None:
    """local_day(timestamp, zone) in SQLite: the ISO day in `zone` of a stored UTC timestamp."""
    if stamp is None:
        return None
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    """WAL, foreign keys, a busy timeout and NORMAL sync for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # WAL + NORMAL: a crash of the app never loses a commit; an OS crash may lose the last few.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Case-insensitive search in any script (SQLite's lower() and LIKE know only ASCII).
    dbapi_connection.create_function(
        "casefold", 1, lambda text: text and text.casefold(), deterministic=True
    )
    # The sponsor's day of a timestamp (ceengine.rollups.sql_day): SQLite knows no zones.
    dbapi_connection.create_function("local_day", 2, _sqlite_local_day, deterministic=True)


def content_security_policy(config: Mapping[str, Any]) -> dict:
    """The CSP; with payments on, forms may also lead to Stripe's hosted Checkout page."""
    policy = dict(CONTENT_SECURITY_POLICY)
    if config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"):
        origins = ["'self'", "https://checkout.stripe.com"]
        if config.get("STRIPE_API_BASE"):  # the local stand-in for Stripe in tests
            parts = urlsplit(config["STRIPE_API_BASE"])
            origins.append(f"{parts.scheme}://{parts.netloc}")
        policy["form-action"] = origins
    return policy


def init_csrf(app: Flask) -> None:
    """CSRF on every form. Bound after `request_guard`, whose checks come first: Flask-WTF
    cannot read a form whose field names are unreadable (it fails with a 500)."""
    csrf.init_app(app)


def init_extensions(app: Flask) -> None:
    """Bind every extension to `app`, but CSRF (`init_csrf`, once the request guard is in)."""
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    _init_limiter(app)
    mail.init_app(app)
    login_manager.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["PRODUCTION"],
        strict_transport_security=app.config["PRODUCTION"],
        session_cookie_secure=app.config["PRODUCTION"],
        content_security_policy=content_security_policy(app.config),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
