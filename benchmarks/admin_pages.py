"""Admin reports at 10,000 and at 1,000,000 rows, on PostgreSQL.

For each size a fresh database is migrated, the project's courses are synced, and that many
evaluations (with the star rating and every objective) and that many quiz attempts (with an
answer per item) are written by PostgreSQL itself (generate_series), spread over two years,
with a certificate (a name and address for the learner search) for each passed attempt and a
paid order for one in four of those (one in fifty refunded). The sponsor reports to CE Broker
(a copy of the project's courses with a `ce_broker` section), and one certificate in ten is a
Florida licensee's, with credit: those completed more than 45 days ago were reported, but for
one in a hundred left behind; so the overview's CE Broker figure (unreported, and not
reported within 30 days) is timed. `ceengine admin recount` then
builds the running totals from those rows, as it would for an operator. The overview, the
ratings page, the results page, the orders page, a course page, the learner search and a
learner's page are timed in-process (a signed-in test client; no network), median of
repeated requests, and the two sizes compared.
Targets (issue 6): p50 under 150 ms at a million, and at most twice the time at ten thousand.
The learner rows (issue 18) search one learner by email and by name, and open their page.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.support.html import form_in
from tests.support.postgres_server import PostgresServer

ADMIN_EMAIL, ADMIN_PASSWORD = "bench@example.org", "benchmark password 1"
PAGES = {
    "admin overview (/admin)": "/admin",
    "admin ratings (/admin/ratings)": "/admin/ratings",
    "admin orders (/admin/orders)": "/admin/orders",
    "admin results (/admin/results)": "/admin/results",
    "course page": "/courses/self-compassion-for-clinicians",
}
SPREAD = "interval '730 days'"
# The sponsor reports to CE Broker (placeholders, as in courses/sponsor.yaml's example).
CE_BROKER = '\nce_broker:\n  provider_number: "1234"\n  professions:\n    RN: RN\n'
FLORIDA = "a.id % 10 = 0"  # one passed attempt in ten: a Florida licensee, with credit
FLORIDA_CREDIT = (
    '[{"short": "Florida Board", "body_name": "Florida Board of Nursing", '
    '"amount": "1 CE hour", "number": "50-1234"}]'
)
SKEWED_STARS = "(ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + floor(random() * 10)::int]"
FIRST_NAMES = "(ARRAY['Ana','Kim','Olu','Sam','Priya','Jon','Mei','Luis','Ada','Noor'])"
# One family name per 20 learners at a million, per learner at ten thousand.
BENCH_NAME = (
    f"{FIRST_NAMES}[1 + learner_id % 10] || ' ' || "
    "'Surname' || lpad((learner_id % 50000)::text, 5, '0')"
)


@dataclass
class Timing:
    """Repeated requests to one page: median and 90th percentile, in milliseconds."""

    p50: float
    p90: float


def _fill(connection, rows: int) -> None:
    """Write `rows` evaluations and `rows` attempts (with answers), spread over the courses."""
    courses = connection.execute(
        sa.text(
            "SELECT c.id, v.id, v.pass_threshold, v.content FROM courses c "
            "JOIN course_versions v ON v.id = c.current_version_id ORDER BY c.id"
        )
    ).all()
    per_course = rows // len(courses)
    connection.execute(
        sa.text(
            "INSERT INTO learners (token, created_at) SELECT 'bench-' || g, now() "
            "FROM generate_series(1, :n) g"
        ),
        {"n": per_course},
    )
    first = connection.scalar(sa.text("SELECT min(id) FROM learners"))
    for course_id, version_id, threshold, content in courses:
        values = {"c": course_id, "v": version_id, "first": first, "last": first + per_course - 1}
        connection.execute(
            sa.text(
                "INSERT INTO evaluations (learner_id, course_id, version_id, rating, relevance, "
                "presenter_knowledge, recommend, comments, created_at, updated_at) "
                f"SELECT id, :c, :v, {SKEWED_STARS}, {SKEWED_STARS}, {SKEWED_STARS}, "
                "random() < 0.8, CASE WHEN random() < 0.3 THEN 'Useful course, comment ' || id "
                "ELSE '' END, ts, ts FROM (SELECT id, now() - random() * " + SPREAD + " AS ts "
                "FROM learners WHERE id BETWEEN :first AND :last) s"
            ),
            values,
        )
        connection.execute(
            sa.text(
                "INSERT INTO evaluation_objectives (evaluation_id, position, score) "
                f"SELECT e.id, p, {SKEWED_STARS} FROM evaluations e, generate_series(1, :k) p "
                "WHERE e.course_id = :c"
            ),
            {**values, "k": len(content["objectives"])},
        )
        total = connection.scalar(
            sa.text("SELECT count(*) FROM quiz_items WHERE version_id = :v"), values
        )
        connection.execute(
            sa.text(
                "INSERT INTO attempts (public_id, form_key, learner_id, course_id, version_id, "
                "subject, number, correct, total, percent, passed, submitted_at) "
                "SELECT md5('p' || :c || '-' || g), md5('f' || :c || '-' || g), :first + g - 1, "
                ":c, :v, 'learner:' || (:first + g - 1), 1, correct, :total, "
                "correct * 100 / :total, correct * 100 / :total >= :pass, "
                "ts FROM (SELECT g, least(:total, floor((:total + 1) * sqrt(random())))::int "
                "AS correct, now() - random() * " + SPREAD + " AS ts "
                "FROM generate_series(1, :n) g) s"
            ),
            {**values, "total": total, "pass": threshold, "n": per_course},
        )
        connection.execute(
            sa.text(
                "INSERT INTO attempt_answers (attempt_id, item_id, position, chosen, correct) "
                "SELECT a.id, i.id, i.position, CASE WHEN i.position <= a.correct THEN i.answer "
                "ELSE 'wrong' END, i.position <= a.correct FROM attempts a "
                "JOIN quiz_items i ON i.version_id = a.version_id WHERE a.course_id = :c"
            ),
            values,
        )
    _fill_certificates(connection)
    connection.execute(sa.text("ANALYZE"))


def _fill_certificates(connection) -> None:
    """A certificate for every passed attempt (issued an hour after it), and a paid order for
    one in four of them, one in fifty of those refunded in full."""
    connection.execute(
        sa.text(
            "INSERT INTO certificates (number, attempt_id, edition, learner_id, course_id, "
            "version_id, full_name, email, email_key, name_key, surname_key, profession, "
            "license_type, license_number, license_state, course_title, ce_hours, completed_at, "
            "score_percent, status, issued_at, pdf, pdf_sha256, credits) "
            "SELECT 'B' || a.id, a.id, 1, a.learner_id, a.course_id, a.version_id, a.name, "
            "'learner' || a.learner_id || '@example.org', "
            "'learner' || a.learner_id || '@example.org', lower(a.name), "
            "lower(split_part(a.name, ' ', 2)), 'Registered Nurse', 'RN', 'RN-' || a.id, "
            f"CASE WHEN {FLORIDA} THEN 'FL' ELSE 'OR' END, "
            "v.title, v.ce_hours, a.submitted_at, a.percent, 'valid', "
            "a.submitted_at + interval '1 hour', '%PDF'::bytea, md5(a.id::text), "
            f"CASE WHEN {FLORIDA} THEN CAST(:credit AS json) ELSE CAST('[]' AS json) END "
            f"FROM (SELECT *, {BENCH_NAME} AS name FROM attempts WHERE passed) a "
            "JOIN course_versions v ON v.id = a.version_id"
        ),
        {"credit": FLORIDA_CREDIT},
    )
    # Reported to CE Broker some weeks after completion, but for one in a hundred.
    connection.execute(
        sa.text(
            "INSERT INTO ce_broker_reports (certificate_id, reported_at, batch) "
            "SELECT id, completed_at + interval '20 days', "
            "'bench-' || to_char(completed_at, 'YYYY-MM') FROM certificates "
            "WHERE license_state = 'FL' AND completed_at < now() - interval '45 days' "
            "AND attempt_id % 1000 <> 0"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE certificates c SET ce_broker_reported_at = r.reported_at "
            "FROM ce_broker_reports r WHERE r.certificate_id = c.id"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO orders (public_id, attempt_id, learner_id, amount_cents, currency, "
            "status, details, sessions_opened, certificate_id, created_at, updated_at, paid_at, "
            "amount_paid_cents, amount_refunded_cents) "
            "SELECT 'bench-' || c.id, c.attempt_id, c.learner_id, 1500, 'usd', "
            "CASE WHEN c.id % 200 = 0 THEN 'refunded' ELSE 'paid' END, "
            "json_build_object('email', c.email, 'full_name', c.full_name), 0, c.id, "
            "c.issued_at - interval '5 minutes', c.issued_at, c.issued_at, 1500, "
            "CASE WHEN c.id % 200 = 0 THEN 1500 ELSE 0 END "
            "FROM certificates c WHERE c.id % 4 = 0"
        )
    )


def reporting_to_ce_broker(source: Path, folder: Path) -> Path:
    """A copy of the courses whose sponsor reports to CE Broker (nothing else changed)."""
    courses = folder / "courses"
    shutil.copytree(source, courses)
    sponsor = courses / "sponsor.yaml"
    sponsor.write_text(sponsor.read_text(encoding="utf-8") + CE_BROKER, encoding="utf-8")
    return courses


def _signed_in_client(app):
    from ceengine.admin.accounts import create_admin

    create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "staff")
    client = app.test_client()
    form = form_in(client.get("/admin/login").get_data(as_text=True), "csrf_token")
    response = client.post(
        "/admin/login", data={**form.hidden, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 303, response.status_code
    return client


def _time(client, path: str, repeats: int) -> Timing:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    samples.sort()
    return Timing(statistics.median(samples), samples[int(len(samples) * 0.9) - 1])


def _learner_pages(connection) -> dict[str, str]:
    """The learner search (by email, by name) and the page of one learner with data."""
    learner = connection.scalar(
        sa.text("SELECT learner_id FROM certificates ORDER BY id LIMIT 1 OFFSET 7")
    )
    name, email = connection.execute(
        sa.text("SELECT full_name, email FROM certificates WHERE learner_id = :l LIMIT 1"),
        {"l": learner},
    ).one()
    return {
        "learner search by email": f"/admin/learners?q={email}",
        "learner search by name": f"/admin/learners?q={name.replace(' ', '+')}",
        "learner page": f"/admin/learners/{learner}",
    }


def measure_size(server: PostgresServer, rows: int, repeats: int) -> dict[str, Timing]:
    """Fill a fresh database with `rows` evaluations and attempts; time each page."""
    from flask_migrate import upgrade

    from ceengine import create_app
    from ceengine.admin.recount import recount_totals
    from ceengine.courses.services import sync_courses
    from ceengine.extensions import db
    from tests.support.app import PROJECT_COURSES

    url = server.create_database(f"bench_{rows}")
    folder = tempfile.TemporaryDirectory(prefix="ceengine-bench-")
    courses = reporting_to_ce_broker(PROJECT_COURSES, Path(folder.name))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "COURSES_DIR": str(courses),
            "ADMIN_LOGIN_RATE_LIMIT": "100 per minute",
        }
    )
    with folder, app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        sync_courses(courses)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            _fill(connection, rows)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        recount_totals()
        counted = time.perf_counter() - started
        # A live database is vacuumed as it goes (autovacuum); rows written and updated in one
        # go here would otherwise leave dead entries behind in the partial indexes.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        print(
            f"  {rows:>9,} rows: filled in {filled:.0f} s, totals rebuilt in {counted:.1f} s",
            flush=True,
        )
        with db.engine.connect() as connection:
            pages = {**PAGES, **_learner_pages(connection)}
        client = _signed_in_client(app)
        overview = client.get("/admin").get_data(as_text=True)
        assert "not reported to CE Broker within 30 days" in overview, "CE Broker is off"
        timings = {name: _time(client, path, repeats) for name, path in pages.items()}
        db.session.remove()
        db.engine.dispose()
    return timings


def table(small: int, large: int, results: dict[int, dict[str, Timing]]) -> str:
    """One row per page: p50 at both sizes, their ratio, and whether the targets are met."""
    lines = [
        f"{'page (PostgreSQL, in-process)':<34} {f'p50 @{small:,}':>12} "
        f"{f'p50 @{large:,}':>14} {'ratio':>6} {'target':>16}  met"
    ]
    for name in results[small]:
        low, high = results[small][name].p50, results[large][name].p50
        ratio = high / low
        met = "yes" if high < 150 and ratio <= 2 else "NO"
        lines.append(
            f"{name:<34} {low:>10.1f}ms {high:>12.1f}ms {ratio:>6.2f} {'<150ms, <=2x':>16}  {met}"
        )
    return "\n".join(lines)


def measure(small: int = 10_000, large: int = 1_000_000, repeats: int = 40) -> str:
    """Both sizes on one throwaway PostgreSQL server; the table."""
    server = PostgresServer()
    if not server.available:
        return "admin pages: skipped (PostgreSQL server programs are not installed)"
    server.start()
    try:
        results = {rows: measure_size(server, rows, repeats) for rows in (small, large)}
    finally:
        server.stop()
    return table(small, large, results)


def main() -> None:
    """`python -m benchmarks.admin_pages [--small N] [--large N]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    print(measure(args.small, args.large, args.repeats))


if __name__ == "__main__":
    main()
