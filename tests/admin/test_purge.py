"""Records retention: `ceengine admin purge --before DATE` removes learner data past the
retention period, counts it first (dry run), and never touches what must still be kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ceengine.certificates.models import Certificate
from ceengine.courses.models import CourseOpening
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation
from ceengine.learners.models import Learner
from ceengine.outbox.models import OutboxMessage
from ceengine.quizzes.models import Attempt, AttemptAnswer
from tests.support.certificate_steps import issue
from tests.support.feedback_steps import evaluate

LONG_AGO = datetime.now(UTC) - timedelta(days=365 * 5)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def backdate_everything() -> None:
    """Everything so far happened five years ago."""
    for model, column in (
        (Attempt, Attempt.submitted_at),
        (Certificate, Certificate.completed_at),
        (Evaluation, Evaluation.updated_at),
        (Learner, Learner.created_at),
        (OutboxMessage, OutboxMessage.created_at),
        (CourseOpening, CourseOpening.opened_at),
    ):
        db.session.execute(sa.update(model).values({column: LONG_AGO}))
    db.session.commit()


def old_and_new_learners(app, client) -> None:
    """One learner who finished five years ago (certificate, evaluation, email); one today."""
    issue(client, full_name="Old Learner", email="old@example.org")
    backdate_everything()
    issue(app.test_client(), full_name="New Learner", email="new@example.org")


def test_a_dry_run_counts_and_keeps_then_yes_removes_only_what_is_past_the_date(
    synced, client, runner
):
    old_and_new_learners(synced, client)
    before = (date.today() - timedelta(days=365 * 4 + 2)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", before])
    assert result.exit_code == 0, result.output
    assert f"Would remove, for everything before {before}:" in result.output
    assert "      1  certificates" in result.output
    assert "      1  quiz attempts" in result.output
    assert "      1  learners" in result.output
    assert "Nothing was removed (dry run)." in result.output
    assert count(Certificate) == 2 and count(Attempt) == 2 and count(Learner) == 2

    # then with --yes: only what is past the date goes
    result = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Removed, for everything before" in result.output
    db.session.expire_all()
    (certificate,) = db.session.scalars(sa.select(Certificate))
    assert certificate.full_name == "New Learner"
    assert count(Attempt) == 1 and count(Learner) == 1
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AttemptAnswer).join(Attempt)
    ) == count(AttemptAnswer)  # no answer left without its attempt
    assert "Old Learner" not in "".join(
        m.body for m in db.session.scalars(sa.select(OutboxMessage))
    )
    again = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])
    assert "      0  certificates" in again.output  # a second run finds nothing more


def test_purge_removes_evaluations_and_reissued_editions(synced, client, runner):
    from ceengine.certificates.services import reissue_certificate

    page = issue(client, full_name="Old Learner", email="old@example.org")
    assert page.status_code == 200
    (first,) = db.session.scalars(sa.select(Certificate))
    reissue_certificate(first.number, full_name="Old M. Learner")
    backdate_everything()
    before = (date.today() - timedelta(days=365 * 4 + 2)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])
    assert result.exit_code == 0, result.output
    assert "      2  certificates" in result.output
    assert count(Certificate) == 0


def test_evaluations_go_with_their_date(synced, client, runner, courses_dir):
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(course.read_text().replace("required: false", "required: true"))
    from ceengine.courses.services import sync_courses
    from tests.support.certificate_steps import take_quiz

    sync_courses(courses_dir)
    evaluate(client, take_quiz(client, "demo-lesson"))
    assert count(Evaluation) == 1
    backdate_everything()
    before = (date.today() - timedelta(days=365 * 4 + 2)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])
    assert "      1  evaluations" in result.output, result.output
    assert count(Evaluation) == 0


def test_purge_refuses_a_date_inside_the_retention_period(synced, client, runner):
    recent = (date.today() - timedelta(days=365 * 3)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", recent, "--yes"])
    assert result.exit_code != 0
    assert "inside the 4-year retention period (CEENGINE_RECORDS_RETENTION_YEARS)" in result.output
    bad = runner.invoke(args=["admin", "purge", "--before", "last year"])
    assert bad.exit_code != 0 and "last year" in bad.output


def test_the_retention_period_is_a_setting(synced, client, runner):
    synced.config["RECORDS_RETENTION_YEARS"] = 7
    before = (date.today() - timedelta(days=365 * 5)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", before])
    assert result.exit_code != 0 and "7-year retention period" in result.output


def test_the_cut_off_is_the_start_of_the_sponsors_day(app_with):
    from zoneinfo import ZoneInfo

    from ceengine.admin.purge import purge, retention_cutoff
    from ceengine.courses.services import sponsor_today
    from tests.support.factories import attempt_with

    app_with(TIMEZONE="Australia/Sydney")
    today = sponsor_today()
    cutoff = retention_cutoff(today, 4)
    # 5 am in Sydney on the cut-off day is the afternoon before in UTC: inside retention
    sydney = datetime(cutoff.year, cutoff.month, cutoff.day, 5, tzinfo=ZoneInfo("Australia/Sydney"))
    attempt_with("demo-lesson", [True] * 6, when=sydney.astimezone(UTC))
    counts = {c.what: c.rows for c in purge(cutoff, today, 4, apply=False)}
    assert counts["quiz attempts"] == 0


def test_an_evaluation_stays_while_a_newer_attempt_rests_on_it(synced, client, runner, courses_dir):
    from ceengine.courses.services import sync_courses
    from tests.support.certificate_steps import take_quiz

    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(course.read_text().replace("required: false", "required: true"))
    sync_courses(courses_dir)
    evaluate(client, take_quiz(client, "demo-lesson"))
    backdate_everything()
    take_quiz(client, "demo-lesson")  # a retake today, by the same learner
    before = (date.today() - timedelta(days=365 * 4 + 2)).isoformat()
    result = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])
    assert "      1  quiz attempts" in result.output, result.output
    assert "      0  evaluations" in result.output
    assert count(Evaluation) == 1
