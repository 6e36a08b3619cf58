"""Addresses in emails and on certificates when CEENGINE_BASE_URL is unset (issue 13, #18).

In development the address comes from the development server's configured host and port,
never from the request: a request sent with `Host: evil.example` must not put that host in
an emailed link or in the verification address printed on a certificate.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from ceengine.cli import cli
from ceengine.links import absolute_url, development_base_url
from tests.support.app import FreshRequestClient, make_app
from tests.support.certificate_pdf import pdf_text
from tests.support.certificate_steps import certificates, download_link, issue
from tests.support.html import form_in
from tests.support.mail_steps import links_in, outbox

EVIL = "evil.example"
DEFAULT = "http://127.0.0.1:5000"


class HostHeaderClient(FreshRequestClient):
    """A browser whose every request is sent with `Host: evil.example`."""

    def open(self, *args, **kwargs):
        """Send the request with the attacker's Host header."""
        kwargs["headers"] = {**dict(kwargs.get("headers") or {}), "Host": EVIL}
        return super().open(*args, **kwargs)


@pytest.fixture
def attacker(synced):
    """A browser whose every request says `Host: evil.example`."""
    return HostHeaderClient(synced, synced.response_class, use_cookies=True)


def test_the_certificate_email_and_pdf_ignore_the_host_header(synced, attacker):
    page = issue(attacker)
    (certificate,) = certificates()

    (message,) = outbox(synced)
    pdf = attacker.get(download_link(page)).data

    assert EVIL not in message.body and EVIL not in pdf_text(pdf)
    assert links_in(message.body) and all(
        link.startswith(DEFAULT + "/") for link in links_in(message.body)
    )
    assert f"{DEFAULT}/verify/{certificate.number}" in pdf_text(pdf)


def test_the_my_certificates_sign_in_email_ignores_the_host_header(synced, attacker):
    issue(synced.test_client())
    form = form_in(attacker.get("/my-certificates").get_data(as_text=True), "email")

    response = attacker.post(
        form.action, data={**form.hidden, **form.submits, "email": "ana@example.org"}
    )

    assert response.status_code == 303
    message = outbox(synced)[-1]
    assert message.subject == "Your sign-in link for My certificates"
    (link,) = links_in(message.body)
    assert link.startswith(f"{DEFAULT}/my-certificates/sign-in/") and EVIL not in message.body


def test_the_configured_development_address_is_used(database_url, courses_dir, monkeypatch):
    monkeypatch.setenv("CEENGINE_DEV_SERVER_URL", "http://127.0.0.1:5055/")
    app = make_app(database_url, courses_dir)
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert absolute_url("certificates.verify_number", number="CE-1") == (
            "http://127.0.0.1:5055/verify/CE-1"
        )


def test_the_base_url_setting_wins_over_the_development_address(database_url, courses_dir):
    app = make_app(
        database_url,
        courses_dir,
        BASE_URL="https://ce.example.org",
        DEV_SERVER_URL="http://127.0.0.1:5055",
    )
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert absolute_url("certificates.verify_number", number="CE-1") == (
            "https://ce.example.org/verify/CE-1"
        )


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [
        ("127.0.0.1", 5055, "http://127.0.0.1:5055"),
        ("localhost", 8000, "http://localhost:8000"),
        ("0.0.0.0", 5055, "http://127.0.0.1:5055"),  # every interface: this machine's loopback
        ("::", 5055, "http://[::1]:5055"),
        ("::1", 5000, "http://[::1]:5000"),
    ],
)
def test_the_development_address_follows_the_run_host_and_port(host, port, address):
    assert development_base_url(host, port) == address


def test_ceengine_run_port_5055_makes_links_use_port_5055(database_url, courses_dir, monkeypatch):
    """`ceengine run --port 5055` (what `make run PORT=5055` runs), without serving."""
    monkeypatch.setenv("CEENGINE_DEV_SERVER_URL", "unset by the test")  # restored afterwards
    served = {}

    def run_simple(host, port, app, **options):
        served.update(host=host, port=port, app=app)

    monkeypatch.setattr("flask.cli.run_simple", run_simple)
    info = ScriptInfo(create_app=lambda: make_app(database_url, courses_dir))

    result = CliRunner().invoke(
        cli, ["run", "--host", "127.0.0.1", "--port", "5055", "--no-reload"], obj=info
    )

    assert result.exit_code == 0, result.output
    assert served["port"] == 5055
    with served["app"].app_context():
        assert absolute_url("certificates.verify_number", number="CE-1") == (
            "http://127.0.0.1:5055/verify/CE-1"
        )
