"""A gunicorn worker killed with SIGKILL while it issues certificates: nothing half-written,
and pressing again (or Stripe delivering again) succeeds with exactly one certificate."""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import pytest
import sqlalchemy as sa

from benchmarks.servers import serve
from tests.support.crowd import (
    PAID_COURSE,
    Clinician,
    Outcome,
    Tally,
    certificate_problems,
    crowd_courses,
    database_problems,
    quiz_answers,
)
from tests.support.fake_stripe import FakeStripe
from tests.support.served import prepare_database, served_env

pytestmark = pytest.mark.served
ROUNDS = 30 if os.environ.get("CEENGINE_TEST_SCALE") == "full" else 6  # make bench: full


def _worker(server, previous: int | None = None, seconds: float = 60) -> int:
    """The one worker's pid, once it is up (a new one when `previous` was killed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = [pid for pid in server.worker_pids() if pid != previous]
        if pids:
            return pids[0]
        time.sleep(0.05)
    raise AssertionError("gunicorn did not start a new worker")


def _killed_during(send, server, rng: random.Random) -> tuple[int, bool]:
    """Run `send` in a thread and SIGKILL the worker a random moment later.

    Returns the killed pid and whether the request was cut off (no response at all)."""
    pid = _worker(server)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["response"] = send()
        except OSError as error:  # requests' and urllib's connection errors alike
            outcome["cut"] = error

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(rng.uniform(0.01, 0.12))  # issuing takes about 50–150 ms here
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    return pid, "cut" in outcome


def test_a_worker_killed_while_issuing_leaves_nothing_half_written(
    served_database, courses_dir, tmp_path
):
    rng = random.Random(7)
    crowd_courses(courses_dir)  # the paid course without an attempt limit (no email step)
    with FakeStripe() as stripe:
        env = served_env(served_database, courses_dir, stripe)
        prepare_database(env)
        with serve("wsgi:app", env, workers=1, log=tmp_path / "gunicorn.log") as server:
            answers, tally = quiz_answers(served_database), Tally()
            engine = sa.create_engine(served_database)
            outcomes, cut = [], 0
            for index in range(ROUNDS):
                person = Clinician(server.url, tally, answers)
                paid = index % 2 == 1
                slug = PAID_COURSE if paid else "demo-lesson"
                result = person.take_quiz(slug, passing=True)
                address, data = person.details_form(
                    result, f"Kill {index}", f"k{index}@example.org"
                )
                if paid:  # killed while the webhook issues the certificate
                    checkout = person.session.post(
                        server.url + address, data=data, allow_redirects=False
                    ).headers["Location"]
                    session_id = checkout.rsplit("/", 1)[-1]
                    stripe.complete(session_id)
                    event = stripe.session_event("checkout.session.completed", session_id)
                    send = lambda event=event: stripe.deliver(server.url, event)  # noqa: E731
                else:  # killed while Issue certificate is pressed
                    send = lambda a=address, d=data, p=person: p.session.post(  # noqa: E731
                        server.url + a, data=d, allow_redirects=False, timeout=120
                    )
                killed, was_cut = _killed_during(send, server, rng)
                cut += was_cut
                _worker(server, previous=killed)
                with engine.connect() as connection:
                    assert certificate_problems(connection) == []
                # The learner presses again, or Stripe delivers again: it works, once.
                retried = send()
                status = retried[0] if paid else retried.status_code
                assert status in (200, 303), status
                if paid:
                    back = person.get(
                        stripe.sessions[session_id]["success_url"].replace(
                            "{CHECKOUT_SESSION_ID}", session_id
                        )
                    )
                    location = back.headers.get("Location", "")
                else:
                    location = retried.headers["Location"]
                assert "/certificates/" in location
                assert person.use_certificate(location) == location
                outcomes.append(
                    Outcome(passed=True, paid=paid, result_url=result, certificate_url=location)
                )
            engine.dispose()
    assert tally.server_errors == [] and tally.surprises == []
    assert database_problems(served_database, outcomes) == []
    print(f"{cut} of {ROUNDS} kills cut a request off")
    assert cut >= 2, "the kills did not land while requests were being answered"
