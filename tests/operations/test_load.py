"""A crowd of clinicians against gunicorn: every attempt stored once, one certificate each.

50 at once on PostgreSQL (four workers) and a smaller crowd on SQLite (WAL, busy timeout), with double clicks
on Score My Quiz, Issue certificate and Continue to payment, and every Stripe event delivered
three times at once. `make bench` runs the same crowd at full size (benchmarks/crowd_load.py).
"""

from __future__ import annotations

import pytest

from benchmarks.servers import serve
from tests.support.crowd import crowd_courses, database_problems, run_crowd
from tests.support.fake_stripe import FakeStripe
from tests.support.served import prepare_database, served_env, server_errors_in

pytestmark = pytest.mark.served

# people, at once, workers. Here a crowd large enough for every race (double clicks, replayed
# events, four workers on one row); `make bench` runs 1000 and 200 of them
# (benchmarks/crowd_load.py), where the waits in a queue of 200 are what is measured.
CROWDS = {"postgresql": (100, 50, 4), "sqlite": (60, 30, 2)}


def test_a_crowd_of_clinicians_loses_nothing_and_gets_one_certificate_each(
    served_database, courses_dir, tmp_path
):
    people, at_once, workers = CROWDS[
        "sqlite" if served_database.startswith("sqlite") else "postgresql"
    ]
    log = tmp_path / "gunicorn.log"
    crowd_courses(courses_dir)
    with FakeStripe() as stripe:
        env = served_env(served_database, courses_dir, stripe)
        prepare_database(env)
        with serve("wsgi:app", env, workers=workers, log=log) as server:
            tally, outcomes = run_crowd(server.url, served_database, people, at_once, stripe)

    assert tally.server_errors == [], tally.server_errors[:10]
    assert server_errors_in(log) == []
    assert tally.surprises == [], tally.surprises[:10]
    assert all(o.result_url for o in outcomes)
    assert sum(1 for o in outcomes if o.certificate_url) == sum(1 for o in outcomes if o.passed)
    assert sum(1 for o in outcomes if o.paid and o.certificate_url) > 0
    assert database_problems(served_database, outcomes) == []
    # Each clinician made at least ten requests, and Stripe's replays all arrived.
    assert tally.requests >= 10 * people
