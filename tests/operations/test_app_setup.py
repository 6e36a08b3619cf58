"""Settings, migrations and start-up rules."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade

from ceengine import create_app
from ceengine.certificates.credential_key import write_development_key
from ceengine.certificates.signing import create_development_chain
from ceengine.cli import cli
from ceengine.extensions import db
from ceengine.links import DEV_SERVER_URL_ENV
from tests.support.app import production_environment


def test_migrations_build_exactly_the_models(empty_database_url, courses_dir):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "COURSES_DIR": str(courses_dir),
        }
    )
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


def test_production_needs_the_address_printed_on_certificates(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    monkeypatch.delenv("CEENGINE_BASE_URL")
    with pytest.raises(RuntimeError, match="CEENGINE_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_refuses_the_development_signing_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    files = create_development_chain(tmp_path / "dev", "Sponsor")
    monkeypatch.setenv("CEENGINE_SIGNING_KEY", str(files["key"]))
    monkeypatch.setenv("CEENGINE_SIGNING_CERT", str(files["cert"]))
    with pytest.raises(RuntimeError, match="development signing certificate"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_refuses_the_development_credential_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    path, _ = write_development_key(tmp_path / "dev-credential")
    monkeypatch.setenv("CEENGINE_CREDENTIAL_KEY", str(path))
    with pytest.raises(RuntimeError, match="refuses the development credential key"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_refuses_to_publish_a_development_credential_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    path, _ = write_development_key(tmp_path / "dev-credential")
    monkeypatch.setenv("CEENGINE_CREDENTIAL_PREVIOUS_KEYS", str(path))
    with pytest.raises(RuntimeError, match="refuses to publish the development credential key"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_starts_with_the_sponsors_own_credential_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["CREDENTIAL_KEY"].endswith("sponsor-credential-key.pem")


def test_production_refuses_a_missing_credential_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("CEENGINE_CREDENTIAL_KEY", str(tmp_path / "no-credential-key.pem"))
    with pytest.raises(RuntimeError, match="no-credential-key.pem does not exist"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_refuses_a_missing_signing_key(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("CEENGINE_SIGNING_KEY", str(tmp_path / "nowhere.pem"))
    with pytest.raises(RuntimeError, match="nowhere.pem"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/", base_url="https://ce.example.org")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_database_url_from_hosting_platforms_gets_the_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/ce")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/ce"


def test_a_mail_server_set_any_way_turns_on_smtp(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            "MAIL_SERVER": "smtp.example.org",
            "SPONSOR_CONTACT": "ce@sponsor.org",
        }
    )
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_DEFAULT_SENDER"] == "ce@sponsor.org"


def test_without_a_mail_server_mail_goes_to_the_console(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    assert app.config["MAIL_BACKEND"] == "console"


def test_production_refuses_to_start_without_the_sponsors_time_zone(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    monkeypatch.delenv("CEENGINE_TIMEZONE")
    with pytest.raises(RuntimeError, match="needs CEENGINE_TIMEZONE, the sponsor's IANA time zone"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


@pytest.mark.parametrize("zone", ["Pacific Time", "America/Los_Angles", "../etc/passwd", "PST"])
def test_a_time_zone_that_is_not_an_iana_zone_is_refused_in_words(monkeypatch, tmp_path, zone):
    monkeypatch.setenv("CEENGINE_TIMEZONE", zone)
    with pytest.raises(RuntimeError) as refused:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'z.db'}"})
    assert str(refused.value) == (
        f"CEENGINE_TIMEZONE={zone!r} is not an IANA time zone; "
        "give one such as America/Los_Angeles, America/New_York or Europe/London."
    )


def test_development_without_a_time_zone_uses_utc_and_warns(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("CEENGINE_TIMEZONE", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"})
    assert "CEENGINE_TIMEZONE is not set: dates on certificates and reports are UTC days" in (
        caplog.text
    )
    with app.app_context():
        assert app.jinja_env.globals["time_zone"]() == "UTC"


def test_authoring_commands_stay_quiet_about_the_time_zone_and_run_says_it(
    monkeypatch, courses_dir, caplog
):
    """An author checking a course has no dates to print: the warning is for the site."""
    monkeypatch.delenv("CEENGINE_TIMEZONE", raising=False)
    monkeypatch.setattr("flask.cli.run_simple", lambda *args, **options: None)
    # `run` points links at its own address through the environment: undone after this test,
    # or every later test in this process would link to port 5999.
    monkeypatch.setenv(DEV_SERVER_URL_ENV, "")
    checked = CliRunner().invoke(cli, ["courses", "check", "--dir", str(courses_dir)])
    assert checked.exit_code == 0, checked.output
    assert "CEENGINE_TIMEZONE" not in checked.output + caplog.text
    ran = CliRunner().invoke(cli, ["run", "--no-reload", "--port", "5999"])
    assert ran.exit_code == 0, ran.output
    assert "CEENGINE_TIMEZONE is not set: dates on certificates and reports are UTC days" in (
        caplog.text
    )


def test_a_time_zone_set_in_the_environment_is_used(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("CEENGINE_TIMEZONE", "Europe/Berlin")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.db'}"})
    assert "CEENGINE_TIMEZONE" not in caplog.text
    with app.app_context():
        assert app.jinja_env.globals["time_zone"]() == "Europe/Berlin"
