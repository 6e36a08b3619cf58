"""Settings, migrations and start-up rules."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from ceengine import create_app
from ceengine.extensions import db


def test_migrations_build_exactly_the_models(database_url, courses_dir):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "COURSES_DIR": str(courses_dir)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("CEENGINE_ENV", "production")
    monkeypatch.delenv("CEENGINE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CEENGINE_SECRET_KEY"):
        create_app()


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("CEENGINE_ENV", "production")
    monkeypatch.setenv("CEENGINE_SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/", base_url="https://ce.example.org")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_database_url_from_hosting_platforms_gets_the_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/ce")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/ce"
