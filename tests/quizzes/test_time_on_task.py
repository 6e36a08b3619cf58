"""Time on task: when a learner first opened a course and its modules, the attempt keeping
that time, and a course's minimum study time before Score My Quiz."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from ceengine.courses.models import CourseOpening
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.clock import as_utc, freeze_clock
from tests.support.factories import course_id
from tests.support.html import quiz_form_in, text_of
from tests.support.quiz_steps import answer_sheet, confirm_if_asked, score

LESSON, MODULES = "/courses/demo-lesson", "/courses/demo-modules"


@pytest.fixture
def clock(monkeypatch):
    return freeze_clock(monkeypatch)


def set_quiz_policy(courses_dir, setting: str) -> None:
    """Add one `quiz:` setting to the demo lesson and load the new version."""
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        course.read_text().replace("pass_threshold: 75", f"pass_threshold: 75\n  {setting}")
    )
    sync_courses(courses_dir)


def openings(slug: str) -> list[tuple[int | None, object]]:
    """Every opening noted for a course: (module number or None, when), course page first."""
    db.session.rollback()  # see what other requests committed
    rows = db.session.execute(
        sa.select(CourseOpening.module, CourseOpening.opened_at)
        .where(CourseOpening.course_id == course_id(slug))
        .order_by(CourseOpening.module.is_not(None), CourseOpening.module)
    )
    return [(module, as_utc(opened_at)) for module, opened_at in rows]


def test_a_first_visit_is_noted_when_the_browser_comes_back_and_reloads_add_nothing(
    synced, client, clock
):
    opened = clock.now
    first = client.get(LESSON)
    assert first.status_code == 200 and client.get_cookie("ceengine_learner")
    assert openings("demo-lesson") == []  # a crawler never sends its cookie back
    clock.advance(minutes=7)
    client.get(LESSON)
    clock.advance(minutes=7)
    client.get(LESSON)
    client.get(f"{LESSON}/quiz")
    assert openings("demo-lesson") == [(None, opened)]  # the time of the first visit


def test_a_browser_that_never_returns_its_cookie_leaves_no_row(synced, app, clock):
    for _ in range(3):
        crawler = app.test_client(use_cookies=False)
        assert crawler.get(LESSON).status_code == 200
        assert crawler.get(f"{MODULES}/modules/getting-started").status_code == 200
    assert openings("demo-lesson") == [] and openings("demo-modules") == []


def test_requests_at_the_same_moment_note_one_opening(synced, app, client, clock):
    opened = clock.now
    client.get(f"{MODULES}/modules/getting-started")  # a first visit: waits in the session
    cookie, session_cookie = client.get_cookie("ceengine_learner"), client.get_cookie("session")
    barrier, statuses = threading.Barrier(4), []

    def reload():
        other = app.test_client()
        other.set_cookie("ceengine_learner", cookie.value)
        other.set_cookie("session", session_cookie.value)
        barrier.wait()
        statuses.append(other.get(f"{MODULES}/modules/getting-started").status_code)

    threads = [threading.Thread(target=reload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert openings("demo-modules") == [(None, opened), (1, opened)]


def test_module_pages_note_when_each_module_was_first_opened(synced, client, clock):
    start = clock.now
    page = client.get(f"{MODULES}/modules/settling-the-mind")
    assert "ceengine_learner=" in page.headers.get("Set-Cookie", "")  # module pages set it now
    third = clock.advance(minutes=25)
    client.get(f"{MODULES}/modules/acting-with-compassion")
    clock.advance(minutes=5)
    client.get(f"{MODULES}/modules/settling-the-mind")
    client.get(MODULES)
    assert openings("demo-modules") == [(None, start), (2, start), (3, third)]
    assert openings("demo-lesson") == []


def test_the_attempt_keeps_when_the_course_was_first_opened(synced, client, clock):
    opened = clock.now
    client.get(LESSON)
    scored = clock.advance(minutes=42)
    _, data = answer_sheet(client, "demo-lesson")
    assert score(client, "demo-lesson", data).status_code == 303
    attempt = db.session.scalar(sa.select(Attempt))
    assert as_utc(attempt.opened_at) == opened and as_utc(attempt.submitted_at) == scored


def test_without_a_minimum_the_quiz_scores_at_once(synced, client, clock):
    _, data = answer_sheet(client, "demo-lesson")  # opened and scored in the same minute
    assert score(client, "demo-lesson", data).status_code == 303


def test_scoring_before_the_minimum_study_time_is_refused_with_the_answers_kept(
    app, courses_dir, client, clock
):
    set_quiz_policy(courses_dir, "minimum_minutes: 60")
    client.get(LESSON)  # 2:05 pm
    clock.advance(minutes=20)
    _, data = answer_sheet(client, "demo-lesson", wrong=1)
    quiz_page = text_of(client.get(f"{LESSON}/quiz"))
    assert "This course asks for at least 1 h of study, counted from when you first" in quiz_page

    refused = score(client, "demo-lesson", data)

    assert refused.status_code == 409
    assert (
        "You can score this quiz from 3:05 pm UTC — the course asks for at least "
        "60 minutes of study." in text_of(refused)
    )
    kept = quiz_form_in(refused.get_data(as_text=True))
    assert kept.checked == {k: v for k, v in data.items() if k.startswith("item-")}
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    clock.advance(minutes=39, seconds=59)  # 3:04:59 pm
    assert score(client, "demo-lesson", kept.answers(kept.checked)).status_code == 409
    clock.advance(seconds=1)
    assert score(client, "demo-lesson", kept.answers(kept.checked)).status_code == 303


def test_the_minimum_counts_from_the_first_opening_of_any_course_page(
    app, courses_dir, client, clock
):
    set_quiz_policy(courses_dir, "minimum_minutes: 1500")  # 25 hours: opens tomorrow
    client.get(f"{LESSON}/quiz")
    clock.advance(hours=1)
    _, data = answer_sheet(client, "demo-lesson")
    refused = score(client, "demo-lesson", data)
    assert refused.status_code == 409
    assert "from 3:05 pm UTC on 3 March 2026 — the course asks for at least 1500 minutes" in (
        text_of(refused)
    )
    clock.advance(hours=23, minutes=59)
    assert "from 3:05 pm UTC —" in text_of(score(client, "demo-lesson", data))  # today now
    clock.advance(minutes=1)
    assert score(client, "demo-lesson", data).status_code == 303


def test_a_module_course_counts_from_its_first_module(synced, client, clock, courses_dir):
    course = courses_dir / "demo-modules" / "course.yaml"
    course.write_text(course.read_text().replace("max_attempts: 2", "minimum_minutes: 30"))
    sync_courses(courses_dir)
    client.get(f"{MODULES}/modules/getting-started")
    clock.advance(minutes=29)
    confirm_if_asked(client, "demo-modules")
    _, data = answer_sheet(client, "demo-modules")
    assert score(client, "demo-modules", data).status_code == 409
    clock.advance(minutes=1)
    assert score(client, "demo-modules", data).status_code == 303
