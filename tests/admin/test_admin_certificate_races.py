"""Two admins changing the same certificate at once (issue 13, finding 16).

Each admin has a browser of their own; the requests run in threads, at the same time, on
SQLite and on PostgreSQL. All of them read the certificate while it is still valid (they
wait for each other right after reading it), then each tries to change it: the database
decides who wins. The others get 409 with "… nothing was changed", never a 500, and the
certificate's history stays whole: one reissue or one revocation, never both.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

import ceengine.certificates.services as services
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from ceengine.extensions import db
from tests.support.admin_steps import admin_client, admin_token
from tests.support.factories import attempt_with, certificate_row
from tests.support.html import flashes_in

REASON = "Issued in error: the learner retook the quiz"


@pytest.fixture
def valid_certificate(synced) -> Certificate:
    return certificate_row(
        attempt_with("demo-lesson", [True] * 6), full_name="Kim Lee", email="kim@example.org"
    )


def action(kind: str, number: str) -> tuple[str, dict]:
    if kind == "reissue":
        return (
            f"/admin/certificates/{number}/reissue",
            {
                "full_name": "Kim Lee-Park",
                "email": "kim@example.org",
                "reason": "Name corrected",
                "confirm": "y",
            },
        )
    return f"/admin/certificates/{number}/revoke", {"reason": REASON, "confirm": "y"}


def race(app, monkeypatch, number: str, kinds: list[str], late: int | None = None) -> list:
    """Post `kinds` from one admin browser each, at once; return each response (or error).

    Every request reads the certificate, then waits until all have read it. `late` names
    the request that then waits a little longer, so each side gets to be the first writer.
    """
    browsers = [admin_client(app) for _ in kinds]
    tokens = [admin_token(browser) for browser in browsers]
    barrier = threading.Barrier(len(kinds), timeout=30)
    read = services.find_certificate
    mine = threading.local()

    def read_then_wait(wanted: str):
        found = read(wanted)
        if getattr(mine, "index", None) is not None and found is not None:
            found.status  # noqa: B018 - loaded now: each admin sees it valid
            barrier.wait()
            if mine.index == late:
                time.sleep(1.0)
        return found

    monkeypatch.setattr(services, "find_certificate", read_then_wait)
    results: list = [None] * len(kinds)

    def act(index: int) -> None:
        mine.index = index
        address, data = action(kinds[index], number)
        try:
            results[index] = browsers[index].post(
                address, data={**data, "csrf_token": tokens[index]}
            )
        except Exception as error:  # noqa: BLE001 - the test reports it, as a 500 would be
            results[index] = error

    threads = [threading.Thread(target=act, args=(i,)) for i in range(len(kinds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    monkeypatch.setattr(services, "find_certificate", read)
    db.session.rollback()
    db.session.expire_all()
    return results


def statuses(results: list) -> list:
    return sorted(
        (r.status_code if hasattr(r, "status_code") else repr(r) for r in results), key=str
    )


def editions(attempt_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.attempt_id == attempt_id)
            .order_by(Certificate.edition)
        )
    )


def test_four_admins_reissuing_at_once_make_one_new_certificate(
    synced, monkeypatch, valid_certificate
):
    old = valid_certificate

    results = race(synced, monkeypatch, old.number, ["reissue"] * 4)

    assert statuses(results) == [303, 409, 409, 409]
    for refused in (r for r in results if r.status_code == 409):
        assert f"Certificate {old.number} is superseded: nothing was changed." in flashes_in(
            refused
        )
    first, new = editions(old.attempt_id)
    assert (first.status, first.superseded_by_id) == (SUPERSEDED, new.id)
    assert (new.status, new.full_name, new.edition) == (VALID, "Kim Lee-Park", 2)


@pytest.mark.parametrize("first", ["revoke", "reissue"])
def test_a_reissue_racing_a_revoke_changes_the_certificate_once(
    synced, monkeypatch, valid_certificate, first
):
    old = valid_certificate
    kinds = ["revoke", "reissue"]

    results = race(
        synced,
        monkeypatch,
        old.number,
        kinds,
        late=kinds.index("reissue" if first == "revoke" else "revoke"),
    )

    assert statuses(results) == [303, 409]
    winner = kinds[[r.status_code for r in results].index(303)]
    refused = results[kinds.index("reissue" if winner == "revoke" else "revoke")]
    found = editions(old.attempt_id)
    if winner == "revoke":
        assert [c.status for c in found] == [REVOKED]
        assert found[0].revoked_reason == REASON and found[0].superseded_by_id is None
        said = f"Certificate {old.number} is revoked: nothing was changed."
    else:
        assert [c.status for c in found] == [SUPERSEDED, VALID]
        assert found[0].revoked_reason is None and found[0].superseded_by_id == found[1].id
        said = f"Certificate {old.number} is superseded: nothing was changed."
    assert said in flashes_in(refused)


def test_two_admins_revoking_at_once_revoke_it_once(synced, monkeypatch, valid_certificate):
    old = valid_certificate

    results = race(synced, monkeypatch, old.number, ["revoke", "revoke"])

    assert statuses(results) == [303, 409]
    (only,) = editions(old.attempt_id)
    assert only.status == REVOKED and only.revoked_reason == REASON
