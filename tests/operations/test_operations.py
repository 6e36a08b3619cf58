"""The health check and the request log, as an operator relies on them."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from ceengine.extensions import db
from tests.support.app import make_app


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_unavailable_when_the_database_is_gone(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "OperationalError"}


class Collect(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_each_request_is_logged_once_as_json_with_its_id(client):
    logger, collect = logging.getLogger("ceengine.requests"), Collect()
    logger.addHandler(collect)
    try:
        response = client.get("/healthz", headers={"X-Request-ID": "proxy-given-1234"})
        other = client.get("/no-such-page")
    finally:
        logger.removeHandler(collect)
    assert response.headers["X-Request-ID"] == "proxy-given-1234"
    lines = [json.loads(record.getMessage()) for record in collect.records]
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/healthz", 200),
        ("/no-such-page", 404),
    ]
    assert lines[0]["request_id"] == "proxy-given-1234"
    assert lines[1]["request_id"] == other.headers["X-Request-ID"]
    assert lines[0]["ms"] >= 0 and lines[0]["method"] == "GET"


def test_a_strange_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\u2028with spaces"})
    given = response.headers["X-Request-ID"]
    assert given != "bad id\u2028with spaces"
    assert len(given) == 16 and given.isalnum()


def test_an_unexpected_error_is_a_kind_page_and_a_logged_traceback(database_url, courses_dir):
    app = make_app(database_url, courses_dir, TESTING=False)

    @app.get("/broken-for-the-test")
    def broken():
        raise ZeroDivisionError("the test broke this on purpose")

    collect = Collect()
    app.logger.addHandler(collect)
    try:
        response = app.test_client().get(
            "/broken-for-the-test", headers={"X-Request-ID": "trace-me-1234"}
        )
    finally:
        app.logger.removeHandler(collect)
    assert response.status_code == 500
    assert "Nothing you did caused this" in response.get_data(as_text=True)
    assert "ZeroDivisionError" not in response.get_data(as_text=True)
    (record,) = [r for r in collect.records if r.exc_info]
    assert record.exc_info[0] is ZeroDivisionError
    assert "/broken-for-the-test" in record.getMessage()
    assert "trace-me-1234" in record.getMessage()


def test_behind_a_proxy_limits_and_logs_use_the_clients_address(database_url, courses_dir):
    app = make_app(database_url, courses_dir, PROXY_COUNT=1, VERIFY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    logger, collect = logging.getLogger("ceengine.requests"), Collect()
    logger.addHandler(collect)
    try:
        first = [
            client.get("/verify", headers={"X-Forwarded-For": "203.0.113.7"}).status_code
            for _ in range(3)
        ]
        second = client.get("/verify", headers={"X-Forwarded-For": "198.51.100.9"}).status_code
    finally:
        logger.removeHandler(collect)
    assert first == [200, 200, 429]  # one visitor used their share …
    assert second == 200  # … and the next visitor, through the same proxy, has their own
    remotes = [json.loads(r.getMessage())["remote"] for r in collect.records]
    assert remotes == ["203.0.113.7"] * 3 + ["198.51.100.9"]


def test_without_a_proxy_setting_forwarded_headers_are_not_believed(database_url, courses_dir):
    app = make_app(database_url, courses_dir, VERIFY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [
        client.get("/verify", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]  # a visitor cannot dodge the limit with a header


def test_pages_still_work_while_the_rate_limit_store_is_down(database_url, courses_dir):
    """Redis unreachable: limits are counted in the process meanwhile, never a 500."""
    app = make_app(
        database_url,
        courses_dir,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
        VERIFY_RATE_LIMIT="2 per minute",
    )
    client = app.test_client()
    statuses = [client.get("/verify").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
