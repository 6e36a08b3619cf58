"""The crowd at full size: simulated clinicians against gunicorn on PostgreSQL and SQLite.

The same clinicians as tests/operations/test_load.py (double clicks, paid checkouts, Stripe events
delivered three times), more of them; then the database checks, and the fault and
several-instance tests at full size (CEENGINE_TEST_SCALE=full).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.servers import BIN, ROOT, serve
from tests.support.app import FIXTURE_COURSES
from tests.support.crowd import crowd_courses, database_problems, run_crowd
from tests.support.fake_stripe import FakeStripe
from tests.support.postgres_server import PostgresServer
from tests.support.served import prepare_database, served_env, server_errors_in

FULL_CROWDS = {"postgresql": (1000, 200, 4), "sqlite": (200, 50, 2)}  # people, at once, workers


def _crowd(database_url: str, folder: Path, people: int, at_once: int, workers: int) -> str:
    courses = folder / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    crowd_courses(courses)
    log = folder / "gunicorn.log"
    with FakeStripe() as stripe:
        env = served_env(database_url, courses, stripe)
        prepare_database(env)
        with serve("wsgi:app", env, workers=workers, log=log) as server:
            started = time.perf_counter()
            tally, outcomes = run_crowd(server.url, database_url, people, at_once, stripe)
            seconds = time.perf_counter() - started
            peak = server.peak_worker_mb()
    problems = database_problems(database_url, outcomes)
    failures = len(tally.server_errors) + len(server_errors_in(log))
    verdict = "yes" if not (failures or tally.surprises or problems) else "NO"
    for line in (tally.server_errors + tally.surprises + problems)[:5]:
        print("   ", line)
    return (
        f"{people:>6} {at_once:>5} {workers:>3} {tally.requests:>9} "
        f"{tally.requests / seconds:>7.0f} {tally.percentile(0.5):>7.0f} "
        f"{tally.percentile(0.99):>7.0f} {failures:>4} {len(tally.surprises):>5} "
        f"{len(problems):>8} {peak:>9.0f}  {verdict}"
    )


def measure() -> str:
    """Both crowds, then the fault and instance tests at full size; the report."""
    header = (
        f"{'database':<11} {'people':>6} {'at once':>5} {'w':>3} {'requests':>9} "
        f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>4} {'wrong':>5} "
        f"{'db issues':>8} {'peak MiB':>9}  ok"
    )
    lines = [header]
    server = PostgresServer()
    with tempfile.TemporaryDirectory() as folder:
        if server.available:
            server.start()
            try:
                url = server.create_database("crowd")
                lines.append(
                    "postgresql  " + _crowd(url, Path(folder) / "pg", *FULL_CROWDS["postgresql"])
                )
            finally:
                server.stop()
        else:
            lines.append("postgresql  skipped (PostgreSQL is not installed)")
        sqlite = Path(folder) / "sqlite"
        sqlite.mkdir()
        lines.append(
            "sqlite      "
            + _crowd(f"sqlite:///{sqlite / 'crowd.db'}", sqlite, *FULL_CROWDS["sqlite"])
        )
    tests = subprocess.run(
        [
            str(BIN / "pytest"),
            "-q",
            "-p",
            "no:logging",
            "-p",
            "no:cacheprovider",
            "tests/operations/test_faults.py",
            "tests/operations/test_instances.py",
        ],
        cwd=ROOT,
        env={**os.environ, "CEENGINE_TEST_SCALE": "full"},
        capture_output=True,
        text=True,
    )
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr
    lines.append("")
    lines.append(f"SIGKILL while issuing and two instances with Redis, at full size: {summary}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(measure())
