"""Settings, read from the environment with safe development defaults."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from ceengine.localtime import zone_named

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"
DEV_SERVER_URL = "http://127.0.0.1:5000"  # `ceengine run` / `make run` without --port


def _database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, or a SQLite file under instance/ by default."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{instance_path / 'ceengine.db'}"


def _whole_number(
    env: Callable[..., str | None], name: str, default: int, low: int, high: int
) -> int:
    """A whole-number setting, refused at start in words when it is not one in range."""
    text = (env(name) or "").strip() or str(default)
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise RuntimeError(f"{name} must be a whole number from {low} to {high}, not {text!r}.")
    return int(text)


class Config:
    """Settings from CEENGINE_* variables; `create_app` layers FLASK_* variables on top."""

    def __init__(self, instance_path: Path) -> None:
        env = os.environ.get
        self.ENV_NAME = env("CEENGINE_ENV", "development")
        self.PRODUCTION = self.ENV_NAME == "production"
        self.SECRET_KEY = env("CEENGINE_SECRET_KEY") or env("SECRET_KEY") or DEV_SECRET_KEY
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        courses_dir = env("CEENGINE_COURSES_DIR") or PROJECT_ROOT / "courses"
        self.COURSES_DIR = str(Path(courses_dir).resolve())
        self.SITE_NAME = env("CEENGINE_SITE_NAME", "ceengine Continuing Education")
        self.SPONSOR_NAME = env("CEENGINE_SPONSOR_NAME", "ceengine Continuing Education")
        self.SPONSOR_CONTACT = env("CEENGINE_SPONSOR_CONTACT", "ce@example.org")
        self.BASE_URL = (env("CEENGINE_BASE_URL") or "").rstrip("/")
        # Without BASE_URL (development only), links use the development server's address:
        # `ceengine run` sets it from its --host and --port, never from a request's Host.
        self.DEV_SERVER_URL = (env("CEENGINE_DEV_SERVER_URL") or DEV_SERVER_URL).rstrip("/")
        # The sponsor's IANA zone: the days on certificates and reports are its days (UTC
        # in development when unset; required in production).
        self.TIMEZONE = (env("CEENGINE_TIMEZONE") or "").strip()
        # The credit estimate (`ceengine courses credit-estimate`, the admin's first page).
        self.READING_WPM = _whole_number(env, "CEENGINE_READING_WPM", 200, 50, 1000)
        self.CREDIT_MARGIN = _whole_number(env, "CEENGINE_CREDIT_MARGIN", 25, 0, 1000)
        # Course versions kept rendered per worker process (courses/snapshots.py).
        self.VERSION_CACHE_SIZE = _whole_number(env, "CEENGINE_VERSION_CACHE_SIZE", 64, 1, 10000)
        self._certificate_settings(env)
        self._mail_settings(env)
        self.STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
        self.STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
        self.STRIPE_API_BASE = env("STRIPE_API_BASE")  # tests point the SDK at a local server
        self.STRIPE_ALLOW_PROMOTION_CODES = env("STRIPE_ALLOW_PROMOTION_CODES", "") == "true"
        self.RATELIMIT_STORAGE_URI = env("CEENGINE_RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Said every time: Flask-Limiter keeps the last app's setting as its default otherwise.
        self.RATELIMIT_ENABLED = True
        # Redis down: count in this process meanwhile, rather than fail the page.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none).
        self.PROXY_COUNT = int(env("CEENGINE_PROXY_COUNT", "0"))
        self.VERIFY_RATE_LIMIT = env("CEENGINE_VERIFY_RATE_LIMIT", "60 per minute")
        self.SIGN_IN_RATE_LIMIT = env("CEENGINE_SIGN_IN_RATE_LIMIT", "5 per hour")
        # Score My Quiz per client address: generous (a classroom shares one address).
        self.QUIZ_RATE_LIMIT = env("CEENGINE_QUIZ_RATE_LIMIT", "60 per minute")
        self.REFLECTION_RATE_LIMIT = env("CEENGINE_REFLECTION_RATE_LIMIT", "5 per hour")
        self.ADMIN_LOGIN_RATE_LIMIT = env("CEENGINE_ADMIN_LOGIN_RATE_LIMIT", "10 per minute")
        # Encrypts admins' two-factor secrets (derived from SECRET_KEY when unset).
        self.TWO_FACTOR_KEY = env("CEENGINE_TWO_FACTOR_KEY")
        # Owners must sign in with two factors (on unless set to "off").
        self.OWNER_TWO_FACTOR = env("CEENGINE_OWNER_TWO_FACTOR", "on") != "off"
        self.ADMIN_INVITATION_HOURS = _whole_number(
            env, "CEENGINE_ADMIN_INVITATION_HOURS", 72, 1, 24 * 30
        )
        self.REQUEST_LOG = env("CEENGINE_REQUEST_LOG", "on") != "off"
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=8)  # an admin signs in each workday
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PRODUCTION

    def _certificate_settings(self, env: Callable[..., str | None]) -> None:
        self.SIGNING_KEY = env("CEENGINE_SIGNING_KEY")
        self.SIGNING_CERT = env("CEENGINE_SIGNING_CERT")
        self.SIGNING_CHAIN = env("CEENGINE_SIGNING_CHAIN")
        self.SIGNING_PKCS12 = env("CEENGINE_SIGNING_PKCS12")
        self.SIGNING_KEY_PASSWORD = env("CEENGINE_SIGNING_KEY_PASSWORD")
        self.TIMESTAMP_URL = env("CEENGINE_TIMESTAMP_URL")
        self.CERTIFICATE_PAPER = env("CEENGINE_CERTIFICATE_PAPER", "letter").lower()
        self.CE_ADMINISTRATOR = env("CEENGINE_CE_ADMINISTRATOR", "CE Administrator")
        self.CE_ADMINISTRATOR_SIGNATURE = env("CEENGINE_CE_ADMINISTRATOR_SIGNATURE")
        self.SPONSOR_LOGO = env("CEENGINE_SPONSOR_LOGO")  # PNG or JPEG; a monogram without
        # Replaced by courses/sponsor.yaml; only read to refuse (production) or warn.
        self.APPROVALS_FILE = env("CEENGINE_APPROVALS_FILE")
        self.SIGNING_LOCATION = env("CEENGINE_SIGNING_LOCATION", "Online")
        # The Ed25519 key that signs Open Badge credentials, and earlier keys still published.
        self.CREDENTIAL_KEY = env("CEENGINE_CREDENTIAL_KEY")
        self.CREDENTIAL_PREVIOUS_KEYS = env("CEENGINE_CREDENTIAL_PREVIOUS_KEYS", "")
        # How long learner records are kept before `ceengine admin purge` may remove them.
        self.RECORDS_RETENTION_YEARS = int(env("CEENGINE_RECORDS_RETENTION_YEARS", "4"))

    def _mail_settings(self, env: Callable[..., str | None]) -> None:
        self.MAIL_SERVER = env("CEENGINE_MAIL_SERVER")
        self.MAIL_PORT = int(env("CEENGINE_MAIL_PORT", "587"))
        self.MAIL_USERNAME = env("CEENGINE_MAIL_USERNAME")
        self.MAIL_PASSWORD = env("CEENGINE_MAIL_PASSWORD")
        self.MAIL_USE_TLS = env("CEENGINE_MAIL_USE_TLS", "true").lower() == "true"
        self.MAIL_USE_SSL = env("CEENGINE_MAIL_USE_SSL", "false").lower() == "true"
        self.MAIL_TIMEOUT = 15
        self.MAIL_DEFAULT_SENDER = env("CEENGINE_MAIL_FROM")
        self.MAIL_BACKEND = None  # derived in `derive_settings`, after every override
        # Who sends queued mail: background (a thread per process), manual (only
        # `ceengine mail send-pending`), inline (right after the commit; tests/development).
        self.MAIL_DELIVERY = env("CEENGINE_MAIL_DELIVERY", "background")
        self.MAIL_POLL_SECONDS = float(env("CEENGINE_MAIL_POLL_SECONDS", "5"))
        self.MAIL_MAX_ATTEMPTS = int(env("CEENGINE_MAIL_MAX_ATTEMPTS", "10"))
        self.MAIL_RETRY_SECONDS = int(env("CEENGINE_MAIL_RETRY_SECONDS", "60"))  # then doubling
        # Mail a visitor can cause (certificate and sign-in links), to any typed address.
        self.MAIL_PER_RECIPIENT_LIMIT = env("CEENGINE_MAIL_PER_RECIPIENT_LIMIT", "5 per day")
        self.MAIL_PER_CLIENT_LIMIT = env("CEENGINE_MAIL_PER_CLIENT_LIMIT", "50 per hour")
        self.MAIL_REPEAT_HOURS = float(env("CEENGINE_MAIL_REPEAT_HOURS", "24"))
        # The certificate PDF rides along with its email up to this size; 0: the link only.
        self.MAIL_ATTACH_MAX_KB = int(env("CEENGINE_MAIL_ATTACH_MAX_KB", "512"))

    def as_dict(self) -> dict:
        """Return the settings as a mapping for `app.config.update`."""
        return {k: v for k, v in vars(self).items() if k.isupper()}


NO_TIMEZONE_WARNING = (
    "CEENGINE_TIMEZONE is not set: dates on certificates and reports are UTC days. "
    "Set it to the sponsor's IANA time zone, e.g. America/Los_Angeles."
)


def payments_enabled(config: Mapping[str, Any]) -> bool:
    """Payments are on only when both Stripe keys are set; otherwise certificates are free."""
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def derive_settings(config: dict) -> None:
    """Settings that follow from others, worked out once FLASK_* and overrides are in."""
    config["MAIL_DEFAULT_SENDER"] = config.get("MAIL_DEFAULT_SENDER") or config["SPONSOR_CONTACT"]
    if not config.get("MAIL_BACKEND"):
        # Without an SMTP server, mail is printed to the console (development).
        config["MAIL_BACKEND"] = "smtp" if config.get("MAIL_SERVER") else "console"


APPROVALS_FILE_GONE = (
    "CEENGINE_APPROVALS_FILE is no longer read: it printed the same approval statements on "
    "every certificate, whichever body approved the course. List approvals in "
    "courses/sponsor.yaml and each course's credit in its course.yaml (docs/accreditation.md), "
    "then unset CEENGINE_APPROVALS_FILE."
)


def check_production_settings(config: dict) -> None:
    """Refuse to run with impossible settings, and in production with development secrets."""
    if config.get("CERTIFICATE_PAPER") not in ("letter", "a4"):
        raise RuntimeError("CEENGINE_CERTIFICATE_PAPER must be letter or a4.")
    if config.get("TIMEZONE"):
        try:
            zone_named(config["TIMEZONE"])
        except ValueError as error:
            raise RuntimeError(str(error)) from None
    if int(config.get("RECORDS_RETENTION_YEARS", 4)) < 1:
        raise RuntimeError("CEENGINE_RECORDS_RETENTION_YEARS must be a whole number of years >= 1.")
    for setting, what in (
        ("CE_ADMINISTRATOR_SIGNATURE", "the CE administrator's signature"),
        ("SPONSOR_LOGO", "the sponsor's logo"),
    ):
        image = config.get(setting)
        if image and not Path(image).is_file():
            raise RuntimeError(
                f"CEENGINE_{setting} is {image}, which is not a file: "
                f"give the path of a PNG or JPEG of {what}."
            )
    if config.get("APPROVALS_FILE"):
        if config.get("PRODUCTION"):
            raise RuntimeError(APPROVALS_FILE_GONE)
        warnings.warn(APPROVALS_FILE_GONE, DeprecationWarning, stacklevel=2)
    if not config.get("PRODUCTION"):
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise RuntimeError(
            "CEENGINE_ENV=production needs CEENGINE_SECRET_KEY set to a long random value."
        )
    if not config.get("BASE_URL", "").startswith("https://"):
        raise RuntimeError(
            "CEENGINE_ENV=production needs CEENGINE_BASE_URL, the https:// "
            "address printed on certificates for their verification page."
        )
    if not config.get("TIMEZONE"):
        raise RuntimeError(
            "CEENGINE_ENV=production needs CEENGINE_TIMEZONE, the sponsor's IANA time zone "
            "(e.g. America/Los_Angeles): the dates on certificates and reports are its days."
        )
