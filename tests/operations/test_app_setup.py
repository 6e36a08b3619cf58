"""Settings, migrations and start-up rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask_migrate import downgrade, upgrade

from ceengine import create_app
from ceengine.certificates.signing import create_development_chain
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


def sponsor_signing_files(folder: Path) -> tuple[Path, Path]:
    """A self-signed signing key and certificate like a sponsor's own (not a development one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Compassion CE Institute")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def production_environment(monkeypatch, tmp_path) -> None:
    """Everything production insists on: a secret, an https address, the sponsor's key."""
    key_file, cert_file = sponsor_signing_files(tmp_path)
    monkeypatch.setenv("CEENGINE_ENV", "production")
    monkeypatch.setenv("CEENGINE_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CEENGINE_BASE_URL", "https://ce.example.org")
    monkeypatch.setenv("CEENGINE_SIGNING_KEY", str(key_file))
    monkeypatch.setenv("CEENGINE_SIGNING_CERT", str(cert_file))


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
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "MAIL_SERVER": "smtp.example.org", "SPONSOR_CONTACT": "ce@sponsor.org"})
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_DEFAULT_SENDER"] == "ce@sponsor.org"


def test_without_a_mail_server_mail_goes_to_the_console(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    assert app.config["MAIL_BACKEND"] == "console"
