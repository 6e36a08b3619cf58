"""Fixtures: the app on SQLite and PostgreSQL, a fresh database per test, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceengine.extensions import db
from tests.support.admin_steps import quick_password_hashes
from tests.support.app import (
    FIXTURE_COURSES,
    copied_from_template,
    infrastructure_skips,
    make_app,
    schema_template,
    skip_missing_infrastructure,
)
from tests.support.billing_steps import stripe_settings
from tests.support.postgres_server import PostgresServer


def pytest_terminal_summary(terminalreporter) -> None:
    """Say clearly, at the end, which real infrastructure was missing."""
    if infrastructure_skips:
        terminalreporter.section("MISSING INFRASTRUCTURE", sep="!", red=True, bold=True)
        for reason in sorted(set(infrastructure_skips)):
            count = infrastructure_skips.count(reason)
            terminalreporter.write_line(f"SKIPPED {count} test(s): {reason}", red=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the whole run."""
    server = PostgresServer()
    if not server.available:
        skip_missing_infrastructure("PostgreSQL server programs (initdb) are not installed")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with the models' empty tables, built once and copied for each test."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    schema_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    """A PostgreSQL database with the models' empty tables, copied for each test."""
    schema_template(postgres_server.create_database("ceengine_template"))
    return "ceengine_template"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each test that uses the database runs once on SQLite and once on PostgreSQL, on a
    copy of a database whose tables were built once (building them takes longer)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return copied_from_template(f"sqlite:///{path}")
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    return copied_from_template(server.create_database("test", template=template))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """A database with no tables at all (for the migrations to build), on each database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_server").create_database("empty")


@pytest.fixture(params=["sqlite", "postgresql"])
def served_database(request, tmp_path) -> str:
    """A database for an app served by gunicorn: a SQLite file or a fresh PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'served.db'}"
    return request.getfixturevalue("postgres_server").create_database("served")


@pytest.fixture
def stripe_fake():
    """Stripe's API, Checkout page and webhooks, on loopback (tests/support/fake_stripe.py)."""
    from tests.support.fake_stripe import FakeStripe

    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def courses_dir(tmp_path) -> Path:
    """A writable copy of the fixture courses, so tests can edit and break them."""
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    return target


@pytest.fixture
def app(database_url, courses_dir):
    """The app with empty tables, inside an application context."""
    app = make_app(database_url, courses_dir)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_with(database_url, courses_dir):
    """Build an app with extra settings, fixture courses loaded, inside its app context."""
    from ceengine.courses.services import sync_courses
    from ceengine.outbox import stop_delivery

    contexts, apps = [], []

    def build(**overrides):
        app = make_app(database_url, courses_dir, **overrides)
        context = app.app_context()
        context.push()
        contexts.append(context)
        apps.append(app)
        sync_courses(courses_dir)
        return app

    yield build
    for app in apps:
        stop_delivery(app)  # the background worker, where a test started one
    for context in reversed(contexts):
        db.session.remove()
        db.engine.dispose()
        context.pop()


@pytest.fixture
def quick_hashes(monkeypatch):
    """Admin passwords hashed with few rounds (admin_steps.quick_password_hashes)."""
    quick_password_hashes(monkeypatch)


@pytest.fixture
def paying_app(app_with):
    """Build the app with payments on, pointed at a Stripe fake, plus extra settings."""

    def build(fake, **settings):
        return app_with(**{**stripe_settings(fake), **settings})

    return build


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; yields (port, inbox) (tests/support/mail_steps.py's Inbox)."""
    from aiosmtpd.controller import Controller

    from tests.support.mail_steps import Inbox
    from tests.support.network import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    inbox.release()
    controller.stop()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `ceengine` commands."""
    return app.test_cli_runner()


@pytest.fixture
def synced(app, courses_dir):
    """The app with the fixture courses loaded."""
    from ceengine.courses.services import sync_courses

    sync_courses(courses_dir)
    return app
