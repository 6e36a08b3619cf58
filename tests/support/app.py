"""The app as tests build it: settings, a fresh database, the fixture courses, and the rule
for missing infrastructure (tests/conftest.py's fixtures are built from these)."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import g, has_app_context
from flask.testing import FlaskClient

from ceengine import create_app
from ceengine.certificates.credential_key import write_development_key
from ceengine.certificates.signing import create_development_chain
from ceengine.extensions import db
from tests.support.certificate_pdf import sponsor_signing_files

FIXTURE_COURSES = Path(__file__).parent.parent / "fixtures" / "courses"
PROJECT_COURSES = Path(__file__).parent.parent.parent / "courses"
IN_CI = os.environ.get("CI") == "true"
infrastructure_skips: list[str] = []  # read by tests/conftest.py's summary


def skip_missing_infrastructure(reason: str) -> None:
    """Skip loudly when Chromium or PostgreSQL is missing; in CI that is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} — CI=true, so this cannot be skipped", pytrace=False)
    infrastructure_skips.append(reason)
    pytest.skip(reason)


@functools.cache
def signing_files() -> dict[str, Path]:
    """One development signing chain for the whole test run (never the project's instance/)."""
    return create_development_chain(
        Path(tempfile.mkdtemp(prefix="ceengine-signing-")), "ceengine Tests"
    )


@functools.cache
def credential_key_file() -> Path:
    """One development credential key for the whole test run (never the project's instance/)."""
    path, _ = write_development_key(Path(tempfile.mkdtemp(prefix="ceengine-credential-")))
    return path


def sponsor_credential_key(folder: Path) -> Path:
    """A sponsor's own Ed25519 credential key (not marked as a development key)."""
    key = Ed25519PrivateKey.generate()
    path = folder / "sponsor-credential-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def app_settings() -> dict:
    """Settings every test app shares: the test signing keys, email kept in memory."""
    files = signing_files()
    return {
        "TESTING": True,
        "CREDENTIAL_KEY": str(credential_key_file()),
        "SIGNING_KEY": str(files["key"]),
        "SIGNING_CERT": str(files["cert"]),
        "SIGNING_CHAIN": str(files["chain"]),
        "MAIL_BACKEND": "locmem",
        # Queued mail is sent right after the commit that queued it, so a test sees it when
        # the request returns; tests/mail/test_mail_outbox.py covers the background worker.
        "MAIL_DELIVERY": "inline",
        "SPONSOR_NAME": "Compassion CE Institute",
        "SPONSOR_CONTACT": "ce@compassion.test",
        "CE_ADMINISTRATOR": "Dana Reyes, PhD, CE Administrator",
        "TIMEZONE": "UTC",  # said, so no test app warns; tests of other zones override it
    }


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as a real one does.

    Tests hold one application context open for database access, and Flask reuses it for
    the requests made inside, so without this `g` (Flask-Login's user, the CSRF token) would
    carry over from one request, and one client, to the next.
    """

    def open(self, *args, **kwargs):
        """Send a request with nothing left in `g` from earlier requests."""
        if has_app_context():
            vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


class Browser(FlaskClient):
    """A test client whose every request gets its own app context, as on a real server.

    The fixtures keep an app context open for the whole test, and a request made inside it
    shares its `g`, where Flask-WTF caches the CSRF token: a second plain client would be
    handed the first one's token and be refused with a 400.
    """

    def open(self, *args, **kwargs):
        """Send a request in an app context of its own."""
        with self.application.app_context():
            return super().open(*args, **kwargs)


def browser(app, remote: str = "127.0.0.1") -> Browser:
    """Another person's browser (no cookies yet, its own app context per request), whose
    requests come from the network address `remote`."""
    client = Browser(app, app.response_class, use_cookies=True)
    client.environ_base["REMOTE_ADDR"] = remote
    return client


_FRESH: set[str] = set()  # databases just copied from a schema template: their tables are new


def copied_from_template(url: str) -> str:
    """Note that the database at `url` was just copied from a schema template (empty tables
    of the current models), so the first app made on it need not build them again."""
    _FRESH.add(url)
    return url


def schema_template(url: str) -> str:
    """Build the current models' empty tables at `url`, to copy for each test; return `url`."""
    app = make_app(url, FIXTURE_COURSES)
    with app.app_context():
        db.engine.dispose()
    return url


def make_app(database_url: str, courses_dir: Path, **overrides):
    """An app on `database_url` with fresh tables (those of a database just copied from the
    schema template, else dropped and made again)."""
    app = create_app(
        {
            **app_settings(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "COURSES_DIR": str(courses_dir),
            **overrides,
        }
    )
    app.test_client_class = FreshRequestClient
    if database_url in _FRESH:
        _FRESH.discard(database_url)
        return app
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def production_environment(monkeypatch, tmp_path) -> None:
    """Everything production insists on: a secret, an https address, the sponsor's key and
    time zone."""
    key_file, cert_file = sponsor_signing_files(tmp_path)
    monkeypatch.setenv("CEENGINE_ENV", "production")
    monkeypatch.setenv("CEENGINE_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CEENGINE_BASE_URL", "https://ce.example.org")
    monkeypatch.setenv("CEENGINE_TIMEZONE", "America/Los_Angeles")
    monkeypatch.setenv("CEENGINE_SIGNING_KEY", str(key_file))
    monkeypatch.setenv("CEENGINE_SIGNING_CERT", str(cert_file))
    monkeypatch.setenv("CEENGINE_CREDENTIAL_KEY", str(sponsor_credential_key(tmp_path)))
