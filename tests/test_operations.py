"""The health check and the request log, as an operator relies on them."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from ceengine.extensions import db


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
    assert [(line["path"], line["status"]) for line in lines] == [("/healthz", 200),
                                                                  ("/no-such-page", 404)]
    assert lines[0]["request_id"] == "proxy-given-1234"
    assert lines[1]["request_id"] == other.headers["X-Request-ID"]
    assert lines[0]["ms"] >= 0 and lines[0]["method"] == "GET"


def test_a_strange_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\u2028with spaces"})
    given = response.headers["X-Request-ID"]
    assert given != "bad id\u2028with spaces"
    assert len(given) == 16 and given.isalnum()
