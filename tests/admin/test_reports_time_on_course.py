"""Time on the course on the admin certificate record and in the roster export."""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.certificate_steps import take_quiz
from tests.support.clock import freeze_clock
from tests.support.factories import attempt_with, certificate_row
from tests.support.html import text_of
from tests.support.reports import csv_records, page


def test_the_record_shows_the_time_on_course_and_the_modules_opened(synced, admin, monkeypatch):
    clock = freeze_clock(monkeypatch)  # 2:05 pm
    learner = synced.test_client()
    learner.get("/courses/demo-modules/modules/getting-started")
    clock.advance(minutes=30)
    learner.get("/courses/demo-modules/modules/acting-with-compassion")
    clock.advance(minutes=42)
    take_quiz(learner, "demo-modules")
    certificate = certificate_row(db.session.scalar(sa.select(Attempt)))

    record = text_of(page(admin, f"/admin/certificates/{certificate.number}"))

    assert (
        "Time on course 1 h 12 min (first opened 02 Mar 2026 2:05 pm UTC, "
        "scored 02 Mar 2026 3:17 pm UTC)" in record
    )
    assert "Modules opened 2 of 3" in record
    (row,) = csv_records(admin.get("/admin/exports/roster.csv"))
    assert row["minutes_on_course"] == "72"
    assert list(row)[-1] == "minutes_on_course"  # appended: the older columns keep their places


def test_a_certificate_from_before_time_on_task_says_so(synced, admin):
    attempt = attempt_with("demo-lesson", [True] * 6)
    attempt.opened_at = None  # scored before openings were noted
    db.session.commit()
    certificate = certificate_row(attempt)

    record = text_of(page(admin, f"/admin/certificates/{certificate.number}"))

    assert "Time on course — " in record and "first opened" not in record
    assert "Modules opened" not in record  # a single-page course has no modules to count
    (row,) = csv_records(admin.get("/admin/exports/roster.csv"))
    assert row["minutes_on_course"] == ""
