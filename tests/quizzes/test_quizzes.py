"""Score My Quiz as a clinician uses it: answer, score, feedback, retake; nothing lost."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ceengine.courses.models import QuizItem
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.html import quiz_form_in, text_of
from tests.support.quiz_steps import answer_sheet, confirm_if_asked, score


def learner_sheet(client, slug: str, wrong: int = 0, skip: int = 0, path: str = "/quiz"):
    """As learner@example.org (confirmed where the quiz asks for it): answer_sheet."""
    confirm_if_asked(client, slug, "learner@example.org")
    return answer_sheet(client, slug, wrong, skip, path)


def set_quiz_policy(courses_dir, setting: str) -> None:
    """Add one `quiz:` setting to the demo lesson and load the new version."""
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        course.read_text().replace("pass_threshold: 75", f"pass_threshold: 75\n  {setting}")
    )
    sync_courses(courses_dir)


def test_the_form_is_what_the_contract_promises(synced, client):
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    form = quiz_form_in(html)
    assert len(form.radios) == 6
    assert "Self-compassion has three parts." in form.legends
    assert re.search(
        r'<input[^>]*type="radio"[^>]*value="True"[^>]*>\s*<label[^>]*>True</label>', html
    )
    assert ">Score My Quiz</button>" in html
    assert ["Self-esteem", "Common humanity", "Perfectionism"] in form.radios.values()


def test_correct_answers_never_reach_the_browser_before_scoring(synced, client):
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    html += client.get("/courses/demo-lesson/quiz").get_data(as_text=True)
    for item in db.session.scalars(sa.select(QuizItem)):
        assert item.explanation not in html
    assert "checked" not in html
    assert "answer" not in " ".join(re.findall(r"<input[^>]*>", html)).lower()


def test_passing_scores_and_shows_feedback(synced, client):
    form, data = learner_sheet(client, "demo-lesson", wrong=1)
    response = score(client, "demo-lesson", data)
    assert response.status_code == 303
    result = client.get(response.headers["Location"])
    page = text_of(result)
    assert "Passed" in page and "Not passed" not in page
    assert "5 of 6 correct (83%)" in page
    assert "Pass mark: 75%." in page
    assert "Incorrect. Your answer:" in page and "Correct answer: True" in page
    assert "Self-kindness, common humanity and mindfulness." in page
    assert 'href="/courses/demo-lesson#three-parts-of-self-compassion"' in result.get_data(
        as_text=True
    )


def test_failing_offers_a_retake(synced, client):
    _, data = learner_sheet(client, "demo-lesson", wrong=3)
    page = text_of(client.get(score(client, "demo-lesson", data).headers["Location"]))
    assert "Not passed" in page
    assert "3 of 6 correct (50%)" in page
    assert "Retake the quiz" in page
    assert "Correct answer" not in page and "Incorrect" not in page


def test_exactly_at_the_threshold_passes(synced, client):
    _, data = learner_sheet(client, "demo-modules", path="/quiz")
    page = text_of(client.get(score(client, "demo-modules", data).headers["Location"]))
    assert "3 of 3 correct (100%)" in page and "Passed" in page


def test_reload_after_scoring_does_not_resubmit(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    location = score(client, "demo-lesson", data).headers["Location"]
    assert client.get(location).status_code == 200
    assert client.get(location).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_a_double_click_creates_one_attempt(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    first = score(client, "demo-lesson", data)
    second = score(client, "demo-lesson", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_resending_a_scored_form_with_other_answers_is_refused(synced, client):
    form, data = learner_sheet(client, "demo-lesson")
    score(client, "demo-lesson", data)
    name = next(iter(form.radios))
    data[name] = "False" if data[name] == "True" else "True"
    response = score(client, "demo-lesson", data)
    assert response.status_code == 400
    assert "This quiz form was already scored." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_unanswered_items_are_named_and_other_answers_kept(synced, client):
    form, data = learner_sheet(client, "demo-lesson", skip=2)
    response = score(client, "demo-lesson", data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Please answer every question" in page
    assert "Question 1 has no answer yet." in page and "Question 2 has no answer yet." in page
    kept = quiz_form_in(response.get_data(as_text=True))
    answered = {k: v for k, v in data.items() if k.startswith("item-")}
    assert kept.checked == answered
    assert kept.hidden["form_key"] == form.hidden["form_key"]
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda d: d.update({"item-99999": "True"}), "not part of this quiz"),
        (
            lambda d: d.update({next(k for k in d if k.startswith("item-")): "Maybe"}),
            "not one of the choices",
        ),
        (lambda d: d.update({"version": "99999"}), "does not belong to this course"),
        (lambda d: d.update({"version": "abc"}), "incomplete"),
        (lambda d: d.pop("form_key"), "incomplete"),
        (lambda d: d.update({"form_key": "<script>"}), "incomplete"),
    ],
)
def test_tampered_forms_get_a_clear_400(synced, client, tamper, message):
    _, data = learner_sheet(client, "demo-lesson")
    tamper(data)
    response = score(client, "demo-lesson", data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0


def test_an_item_from_another_course_is_refused(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    other = db.session.scalar(sa.select(QuizItem).where(QuizItem.key == "attention"))
    data[f"item-{other.id}"] = "True"
    response = score(client, "demo-lesson", data)
    assert response.status_code == 400


def test_a_version_from_another_course_is_refused(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    other_form = quiz_form_in(client.get("/courses/demo-modules").get_data(as_text=True))
    data["version"] = other_form.hidden["version"]
    assert score(client, "demo-lesson", data).status_code == 400


def test_results_are_only_for_the_learner_who_took_the_quiz(synced, client, app):
    _, data = learner_sheet(client, "demo-lesson")
    location = score(client, "demo-lesson", data).headers["Location"]
    stranger = app.test_client()
    assert stranger.get(location).status_code == 404
    stranger.set_cookie("ceengine_learner", "forged.value")
    assert stranger.get(location).status_code == 404
    assert client.get(location.rstrip("/") + "x").status_code == 404


def test_attempt_limit_is_enforced_and_explained(synced, client):
    for _ in range(2):
        _, data = learner_sheet(client, "demo-modules", wrong=2)
        assert score(client, "demo-modules", data).status_code == 303
    page = client.get("/courses/demo-modules/quiz")
    assert "You have used all 2 attempts this course allows." in text_of(page)
    assert "Score My Quiz</button>" not in page.get_data(as_text=True)
    assert "Your attempts" in text_of(page)
    assert text_of(page).count("Not passed") == 2


def test_a_third_attempt_posted_anyway_is_refused(synced, client):
    sheets = [learner_sheet(client, "demo-modules", wrong=2)[1] for _ in range(3)]
    assert score(client, "demo-modules", sheets[0]).status_code == 303
    assert score(client, "demo-modules", sheets[1]).status_code == 303
    refused = score(client, "demo-modules", sheets[2])
    assert refused.status_code == 409
    assert "You have used all 2 attempts" in text_of(refused)


def test_waiting_time_between_attempts(app, courses_dir, client):
    set_quiz_policy(courses_dir, "wait_minutes: 30")
    _, data = learner_sheet(client, "demo-lesson", wrong=4)
    score(client, "demo-lesson", data)
    page = text_of(client.get("/courses/demo-lesson/quiz"))
    assert "wait 30 minutes between attempts" in page and "try again in 30 minutes" in page


def test_results_keep_the_version_they_were_taken_on(app, courses_dir, client):
    sync_courses(courses_dir)
    _, data = learner_sheet(client, "demo-lesson")
    location = score(client, "demo-lesson", data).headers["Location"]
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace(
            "Self-compassion has three parts.", "Self-compassion has three components."
        )
    )
    sync_courses(courses_dir)
    page = text_of(client.get(location))
    assert "Self-compassion has three parts." in page
    assert "course version 1" in page
    new_form = quiz_form_in(client.get("/courses/demo-lesson").get_data(as_text=True))
    assert "Self-compassion has three components." in new_form.legends


def test_shuffled_quizzes_keep_their_order_within_an_attempt(app, courses_dir, client):
    set_quiz_policy(courses_dir, "shuffle: true")
    orders = set()
    for _ in range(6):
        form = quiz_form_in(client.get("/courses/demo-lesson/quiz").get_data(as_text=True))
        orders.add(tuple(form.radios))
    assert len(orders) > 1
    form, data = learner_sheet(client, "demo-lesson", skip=1)
    again = quiz_form_in(score(client, "demo-lesson", data).get_data(as_text=True))
    assert list(again.radios) == list(form.radios)


def test_an_expired_session_keeps_the_answers(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    data["csrf_token"] = "expired"
    response = score(client, "demo-lesson", data)
    assert response.status_code == 400
    assert "press Score My Quiz again" in text_of(response)
    kept = quiz_form_in(response.get_data(as_text=True))
    assert kept.checked == {k: v for k, v in data.items() if k.startswith("item-")}
    assert score(client, "demo-lesson", kept.answers(kept.checked)).status_code == 303


def test_feedback_none_never_shows_the_items(app, courses_dir, client):
    set_quiz_policy(courses_dir, "feedback: none")
    _, data = learner_sheet(client, "demo-lesson", wrong=1)
    page = text_of(client.get(score(client, "demo-lesson", data).headers["Location"]))
    assert "Passed" in page and "Sections to review" in page
    assert "Incorrect." not in page and "Correct answer:" not in page
    assert "Self-kindness, common humanity" not in page


def test_two_simultaneous_submissions_of_one_form_make_one_attempt(synced, client):
    import threading

    _, data = learner_sheet(client, "demo-lesson")
    cookie = client.get_cookie("ceengine_learner")
    session_cookie = client.get_cookie("session")
    barrier, responses = threading.Barrier(4), []

    def submit():
        other = synced.test_client()
        other.set_cookie("ceengine_learner", cookie.value)
        other.set_cookie("session", session_cookie.value)
        barrier.wait()
        responses.append(score(other, "demo-lesson", data))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [303] * 4
    assert len({r.headers["Location"] for r in responses}) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_an_expired_session_with_a_tampered_version_is_a_clear_400(synced, client):
    _, data = learner_sheet(client, "demo-lesson")
    data.update({"csrf_token": "expired", "version": "99999"})
    response = score(client, "demo-lesson", data)
    assert response.status_code == 400
    assert "does not belong to this course" in text_of(response)
