"""Credit only for the learner's own work on the current quiz (issue 13, findings 1, 4, 5).

Only the current course version is scored; before a pass the result never says which items
were right; the retake policy holds against parallel posts and new cookies, per confirmed
email address; Score My Quiz is rate limited.
"""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from ceengine.certificates.models import Certificate
from ceengine.courses.models import QuizItem
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.app import make_app
from tests.support.certificate_steps import details_page
from tests.support.html import quiz_form_in, text_of
from tests.support.mail_steps import outbox
from tests.support.quiz_steps import (
    ASKS_FOR_EMAIL,
    answer_sheet,
    confirm_email,
    confirm_if_asked,
    confirmation_link,
    follow_confirmation,
    request_confirmation,
    score,
)

UPDATED = "The quiz was updated: check your answers and press Score My Quiz again."


def attempts() -> list[Attempt]:
    db.session.rollback()  # see what other threads and requests committed
    return list(db.session.scalars(sa.select(Attempt).order_by(Attempt.id)))


def edit(courses_dir, slug: str, file: str, old: str, new: str) -> None:
    """Change a course file and load the new version, as an author does."""
    path = courses_dir / slug / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    sync_courses(courses_dir)


# --- 1. only the current version is scored --------------------------------------------------


def test_a_form_from_an_old_version_comes_back_with_the_answers_kept(synced, courses_dir, client):
    old_form, data = answer_sheet(client, "demo-lesson")
    edit(
        courses_dir,
        "demo-lesson",
        "quiz.yaml",
        "Self-compassion has three parts.",
        "Self-compassion has three components.",
    )
    response = score(client, "demo-lesson", data)
    assert response.status_code == 409
    assert UPDATED in text_of(response)
    assert attempts() == []
    again = quiz_form_in(response.get_data(as_text=True))
    assert again.hidden["version"] != old_form.hidden["version"]
    assert "Self-compassion has three components." in again.legends
    assert len(again.checked) == len(again.radios) - 1  # the changed question is blank
    changed = next(name for name in again.radios if name not in again.checked)
    item = db.session.get(QuizItem, int(changed.removeprefix("item-")))
    resent = score(client, "demo-lesson", again.answers({**again.checked, changed: item.answer}))
    assert resent.status_code == 303
    assert [a.version.number for a in attempts()] == [2]


def test_an_old_version_id_with_answers_passing_its_old_mark_gets_no_pass(
    synced, courses_dir, client
):
    _, data = answer_sheet(client, "demo-lesson", wrong=1)  # 5 of 6: passes version 1's 75%
    edit(courses_dir, "demo-lesson", "course.yaml", "pass_threshold: 75", "pass_threshold: 100")
    for _ in range(2):
        response = score(client, "demo-lesson", data)
        assert response.status_code == 409 and UPDATED in text_of(response)
    assert attempts() == []
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0


def test_an_old_version_without_the_evaluation_cannot_skip_it(synced, courses_dir, client):
    _, data = answer_sheet(client, "demo-lesson")  # version 1 does not require the evaluation
    edit(courses_dir, "demo-lesson", "course.yaml", "required: false", "required: true")
    response = score(client, "demo-lesson", data)
    assert response.status_code == 409
    again = quiz_form_in(response.get_data(as_text=True))
    location = score(client, "demo-lesson", again.answers(again.checked)).headers["Location"]
    assert [a.version.number for a in attempts()] == [2]
    _, details = details_page(client, location)
    assert details.status_code == 303 and "/evaluation" in details.headers["Location"]


# --- 4. no answer key before a pass ---------------------------------------------------------

KEY_TEXT = ("Correct answer", "Incorrect", "Correct.", "Your answer")


def test_a_fail_shows_the_score_pass_mark_and_sections_but_no_items(synced, client):
    _, data = answer_sheet(client, "demo-lesson", wrong=6)
    result = client.get(score(client, "demo-lesson", data).headers["Location"])
    page, html = text_of(result), result.get_data(as_text=True)
    assert "0 of 6 correct (0%)" in page and "Pass mark: 75%." in page
    assert "Sections to review" in page
    assert 'href="/courses/demo-lesson#three-parts-of-self-compassion"' in html
    assert not [text for text in KEY_TEXT if text in page]
    for item in db.session.scalars(sa.select(QuizItem)):
        assert item.explanation not in page and item.statement not in page
    assert 'class="right"' not in html and 'class="wrong"' not in html


def test_a_true_false_fail_does_not_reveal_the_key_either(synced, client):
    _, data = answer_sheet(client, "demo-lesson", wrong=2)  # 4 of 6: not passed
    page = text_of(client.get(score(client, "demo-lesson", data).headers["Location"]))
    assert "Not passed" in page
    assert not [text for text in KEY_TEXT if text in page]


def test_after_a_pass_every_result_explains_each_item(synced, client):
    _, data = answer_sheet(client, "demo-lesson", wrong=3)
    failed = score(client, "demo-lesson", data).headers["Location"]
    _, data = answer_sheet(client, "demo-lesson", wrong=1)
    passed = text_of(client.get(score(client, "demo-lesson", data).headers["Location"]))
    assert "Incorrect. Your answer:" in passed and "Correct answer: True" in passed
    assert "Correct answer:" in text_of(client.get(failed))


def test_with_no_attempt_left_the_items_are_explained(synced, client):
    confirm_email(client, "demo-modules")
    for number in (1, 2):
        _, data = answer_sheet(client, "demo-modules", wrong=2)
        page = text_of(client.get(score(client, "demo-modules", data).headers["Location"]))
        assert ("Correct answer:" in page) == (number == 2)


def test_courses_check_refuses_feedback_that_reveals_items_before_a_pass(runner, courses_dir):
    course = courses_dir / "demo-lesson" / "course.yaml"
    for value in ("full", "right_wrong"):
        course.write_text(
            re.sub(
                r"quiz:\n",
                f"quiz:\n  feedback: {value}\n",
                course.read_text()
                .replace("  feedback: full\n", "")
                .replace("  feedback: right_wrong\n", ""),
            )
        )
        line = course.read_text().splitlines().index(f"  feedback: {value}") + 1
        result = runner.invoke(args=["courses", "check"])
        assert result.exit_code == 1, result.output
        assert (
            f"courses/demo-lesson/course.yaml:{line}: quiz: 'feedback: {value}' shows which "
            "answers were right before a learner passes"
        ) in result.output
        assert "use 'feedback: after_pass'" in result.output


def test_after_pass_and_none_are_accepted(runner, courses_dir):
    course = courses_dir / "demo-lesson" / "course.yaml"
    for value in ("after_pass", "none"):
        course.write_text(course.read_text().replace("quiz:\n", f"quiz:\n  feedback: {value}\n", 1))
        result = runner.invoke(args=["courses", "check"])
        assert result.exit_code == 0, result.output
        course.write_text(course.read_text().replace(f"  feedback: {value}\n", ""))


# --- 5. the retake policy holds -------------------------------------------------------------


def race(app, client, slug: str, count: int = 16) -> list:
    """`count` different quiz forms from one learner, posted at the same moment."""
    sheets = [answer_sheet(client, slug, wrong=3)[1] for _ in range(count)]
    cookies = {name: client.get_cookie(name).value for name in ("ceengine_learner", "session")}
    barrier, responses = threading.Barrier(count), []

    def post(data):
        with app.app_context():
            other = app.test_client()
            for name, value in cookies.items():
                other.set_cookie(name, value)
            barrier.wait()
            responses.append(score(other, slug, data))
            db.session.remove()

    threads = [threading.Thread(target=post, args=(data,)) for data in sheets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_sixteen_parallel_posts_store_one_attempt_under_max_attempts_1(synced, courses_dir, client):
    edit(courses_dir, "demo-modules", "course.yaml", "max_attempts: 2", "max_attempts: 1")
    confirm_if_asked(client, "demo-modules", "nurse@example.org")
    responses = race(synced, client, "demo-modules")
    assert sorted(r.status_code for r in responses) == [303] + [409] * 15
    assert len(attempts()) == 1
    refused = next(r for r in responses if r.status_code == 409)
    assert "You have used all 1 attempt this course allows." in text_of(refused)


def test_sixteen_parallel_posts_cannot_skip_the_wait(synced, courses_dir, client):
    edit(
        courses_dir,
        "demo-lesson",
        "course.yaml",
        "pass_threshold: 75",
        "pass_threshold: 75\n  wait_minutes: 30",
    )
    confirm_if_asked(client, "demo-lesson", "nurse@example.org")
    responses = race(synced, client, "demo-lesson")
    assert sorted(r.status_code for r in responses) == [303] + [409] * 15
    assert len(attempts()) == 1
    assert "wait 30 minutes between attempts" in text_of(
        next(r for r in responses if r.status_code == 409)
    )


def test_parallel_posts_on_an_unlimited_course_are_all_scored(synced, client):
    responses = race(synced, client, "demo-lesson", count=8)
    assert [r.status_code for r in responses] == [303] * 8
    assert sorted(a.number for a in attempts()) == list(range(1, 9))


def test_a_new_cookie_does_not_start_the_attempts_over(synced, app):
    first = app.test_client()
    confirm_if_asked(first, "demo-modules", "nurse@example.org")
    for _ in range(2):
        assert (
            score(
                first, "demo-modules", answer_sheet(first, "demo-modules", wrong=2)[1]
            ).status_code
            == 303
        )
    fresh = app.test_client()  # a private window, another browser
    _, data = answer_sheet(fresh, "demo-modules")
    confirm_if_asked(fresh, "demo-modules", "Nurse@Example.org")
    assert "You have used all 2 attempts" in text_of(fresh.get("/courses/demo-modules/quiz"))
    refused = score(fresh, "demo-modules", data)
    assert refused.status_code == 409
    assert len(attempts()) == 2


def test_a_limited_course_asks_for_an_email_before_scoring_and_keeps_the_answers(
    synced, app, client
):
    page = text_of(client.get("/courses/demo-modules/quiz"))
    assert ASKS_FOR_EMAIL in page
    _, data = answer_sheet(client, "demo-modules")
    refused = score(client, "demo-modules", data)
    assert refused.status_code == 403
    assert "confirm your email" in text_of(refused)
    kept = quiz_form_in(refused.get_data(as_text=True))
    assert kept.checked == {k: v for k, v in data.items() if k.startswith("item-")}
    assert attempts() == []
    assert request_confirmation(client, "demo-modules", "ana@example.org").status_code == 303
    assert "sent a confirmation link to ana@example.org" in text_of(
        client.get("/courses/demo-modules/quiz")
    )
    message = outbox(app)[-1]
    assert message.to == ["ana@example.org"]
    assert "Demo Modules on Compassion" in message.body and message.subject == (
        "Confirm your email to take a CE quiz"
    )
    assert follow_confirmation(client, confirmation_link(app, "ana@example.org")).status_code == 303
    assert ASKS_FOR_EMAIL not in text_of(client.get("/courses/demo-modules/quiz"))
    assert score(client, "demo-modules", kept.answers(kept.checked)).status_code == 303
    assert [a.subject for a in attempts()] == ["email:ana@example.org"]


def test_the_confirmation_link_works_once(synced, app, client):
    request_confirmation(client, "demo-modules", "ana@example.org")
    link = confirmation_link(app, "ana@example.org")
    stranger = app.test_client()
    assert client.get(link).status_code == 200  # a mail scanner's GET uses nothing
    assert follow_confirmation(client, link).status_code == 303
    again = follow_confirmation(stranger, link)
    assert again.status_code == 410 and "already been used" in text_of(again)
    assert ASKS_FOR_EMAIL in text_of(stranger.get("/courses/demo-modules/quiz"))
    forged = follow_confirmation(stranger, link[:-3] + "abc")
    assert forged.status_code == 404 and "not valid" in text_of(forged)


def test_a_bad_email_is_named_and_nothing_is_sent(synced, app, client):
    response = request_confirmation(client, "demo-modules", "not-an-address")
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in text_of(response)
    assert outbox(app) == []


def test_an_unlimited_course_keeps_the_no_account_flow(synced, client):
    assert ASKS_FOR_EMAIL not in text_of(client.get("/courses/demo-lesson/quiz"))
    assert score(client, "demo-lesson", answer_sheet(client, "demo-lesson")[1]).status_code == 303


def test_a_limited_course_keeps_answers_when_one_is_blank_or_the_session_expired(synced, client):
    confirm_email(client, "demo-modules")
    form, data = answer_sheet(client, "demo-modules")
    blank = dict(data)
    blank.pop(next(iter(form.radios)))
    response = score(client, "demo-modules", blank)
    assert response.status_code == 422
    assert quiz_form_in(response.get_data(as_text=True)).checked == {
        k: v for k, v in blank.items() if k.startswith("item-")
    }
    response = score(client, "demo-modules", {**data, "csrf_token": "expired"})
    assert response.status_code == 400
    kept = quiz_form_in(response.get_data(as_text=True))
    assert kept.checked == {k: v for k, v in data.items() if k.startswith("item-")}
    assert score(client, "demo-modules", kept.answers(kept.checked)).status_code == 303


def test_score_my_quiz_is_rate_limited_per_address(database_url, courses_dir):
    app = make_app(database_url, courses_dir, QUIZ_RATE_LIMIT="2 per minute")
    with app.app_context():
        sync_courses(courses_dir)
        client = app.test_client()
        statuses = [
            score(client, "demo-lesson", answer_sheet(client, "demo-lesson")[1]).status_code
            for _ in range(3)
        ]
        assert statuses == [303, 303, 429]
        assert len(attempts()) == 2
        db.session.remove()
        db.engine.dispose()
