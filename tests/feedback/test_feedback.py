"""Course evaluations, the rating line and reflections, as learners meet them."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from ceengine.admin.recount import recount_totals
from ceengine.columns import utcnow
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.feedback import services
from ceengine.feedback.models import (
    APPROVED,
    HIDDEN,
    Evaluation,
    RatingTotal,
    RatingVote,
    Reflection,
)
from ceengine.feedback.services import RatingLine, moderate_reflection
from ceengine.learners.models import Learner
from tests.support.admin_steps import admin_client, post_action, quick_password_hashes
from tests.support.billing_steps import local, pay
from tests.support.certificate_steps import certificates, details_page, submit_details, take_quiz
from tests.support.factories import course_id
from tests.support.feedback_steps import (
    OPTIONAL,
    answers,
    certify,
    evaluate,
    evaluation_form,
    evaluation_url,
    rating_lines,
    reflection_form,
    set_course,
    share,
    totals,
)
from tests.support.html import form_in, quiz_form_in, text_of
from tests.support.reports import csv_records

PROMPT = "What insights did this session spark for you?"
NO_MODERATION = "reflections:\n  moderation: false\n"


def evaluations() -> list[Evaluation]:
    return list(db.session.scalars(sa.select(Evaluation).order_by(Evaluation.id)))


def reflections() -> list[Reflection]:
    return list(db.session.scalars(sa.select(Reflection).order_by(Reflection.id)))


def catalog_line(client, slug: str) -> list[tuple[int, int]]:
    """The rating line(s) on the catalog card of one course."""
    html = client.get("/").get_data(as_text=True)
    cards = [
        card
        for card in html.split('<li class="course-card">')[1:]
        if f'href="/courses/{slug}"' in card
    ]
    assert len(cards) == 1, f"no single catalog card for {slug}"
    return rating_lines(cards[0])


def course_line(client, slug: str) -> list[tuple[int, int]]:
    return rating_lines(client.get(f"/courses/{slug}").get_data(as_text=True))


# 1. The evaluation stands between the pass and the certificate.


def test_the_evaluation_comes_between_the_pass_and_the_certificate(app, courses_dir, client):
    set_course(courses_dir)  # the default: evaluation required
    result = take_quiz(client, "demo-lesson")
    address, gate = details_page(client, result)
    assert gate.status_code == 303
    assert gate.headers["Location"] == evaluation_url(result)

    page = client.get(gate.headers["Location"])
    assert page.status_code == 200
    assert "Your certificate comes next" in text_of(page)
    form = form_in(page.get_data(as_text=True), "comments")
    assert form.radios == {
        "rating": ["1", "2", "3", "4", "5"],
        "objective_1": ["1", "2", "3", "4", "5"],
        "objective_2": ["1", "2", "3", "4", "5"],
        "relevance": ["1", "2", "3", "4", "5"],
        "presenter_knowledge": ["1", "2", "3", "4", "5"],
        "recommend": ["yes", "no"],
    }
    assert {"Name the three parts of self-compassion.", "Describe one informal practice."} <= set(
        form.legends
    )
    assert form.hidden["csrf_token"]
    bypass = client.post(
        address,
        data={
            "csrf_token": form.hidden["csrf_token"],
            "full_name": "Ana Núñez",
            "email": "ana@example.org",
            "attest": "y",
            "issue": "Issue certificate",
        },
    )
    assert bypass.status_code == 303 and bypass.headers["Location"] == evaluation_url(result)
    assert certificates() == []

    sent = client.post(
        evaluation_url(result),
        data={
            **form.hidden,
            **answers(
                rating=4,
                objectives=(5, 3),
                relevance=2,
                presenter_knowledge=5,
                recommend="no",
                comments="  Clear and useful.  ",
            ),
        },
    )
    assert sent.status_code == 303
    assert sent.headers["Location"] == address
    details = client.get(address)
    assert details.status_code == 200
    assert "Thank you: your evaluation has been saved." in text_of(details)
    form_in(details.get_data(as_text=True), "full_name")

    (evaluation,) = evaluations()
    assert (
        evaluation.rating,
        evaluation.relevance,
        evaluation.presenter_knowledge,
        evaluation.recommend,
        evaluation.comments,
    ) == (4, 2, 5, False, "Clear and useful.")
    assert [(o.position, o.score) for o in evaluation.objectives] == [(1, 5), (2, 3)]
    assert "Revise my course evaluation" in text_of(client.get(result))

    # The database itself keeps one evaluation per learner and course.
    db.session.add(
        Evaluation(
            learner_id=evaluation.learner_id,
            course_id=evaluation.course_id,
            version_id=evaluation.version_id,
            rating=1,
            relevance=1,
            presenter_knowledge=1,
            recommend=False,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(evaluations()) == 1


def test_an_optional_evaluation_is_skipped_and_the_page_is_the_learners_own(synced, client):
    result = take_quiz(client, "demo-lesson")
    _, page = details_page(client, result)
    assert page.status_code == 200
    form_in(page.get_data(as_text=True), "full_name")
    assert "Revise my course evaluation" not in text_of(client.get(result))

    failed = take_quiz(client, "demo-lesson", passing=False)
    assert client.get(evaluation_url(failed)).status_code == 404
    token = evaluation_form(client, result).hidden
    assert client.post(evaluation_url(failed), data={**token, **answers()}).status_code == 404

    stranger = synced.test_client()
    assert stranger.get(evaluation_url(result)).status_code == 404
    take_quiz(stranger, "demo-lesson")  # now a learner with a cookie of their own
    assert stranger.get(evaluation_url(result)).status_code == 404
    token = quiz_form_in(stranger.get("/courses/demo-lesson").get_data(as_text=True)).hidden
    response = stranger.post(
        evaluation_url(result), data={"csrf_token": token["csrf_token"], **answers()}
    )
    assert response.status_code == 404
    assert client.get(evaluation_url(result)).status_code == 200
    assert evaluations() == []


# 2. Missing and impossible answers.


def test_missing_or_impossible_answers_are_refused_with_422(synced, client):
    result = take_quiz(client, "demo-lesson")
    form = evaluation_form(client, result)
    url = evaluation_url(result)
    for bad in (
        {"rating": "9"},
        {"rating": "0"},
        {"rating": "abc"},
        {"objective_2": "6"},
        {"relevance": "-1"},
        {"presenter_knowledge": "4.5"},
        {"recommend": "maybe"},
    ):
        response = client.post(url, data={**form.hidden, **answers(), **bad})
        assert response.status_code == 422, bad
        assert "Please correct" in text_of(response), bad

    empty = client.post(url, data=form.hidden)
    assert empty.status_code == 422
    for message in (
        "Choose a star rating from 1 to 5.",
        "Say how well objective 1 was met.",
        "Say how well objective 2 was met.",
        "Say how relevant the course was to your practice.",
        "Rate the presenter's knowledge.",
        "Say whether you would recommend it.",
    ):
        assert message in unescape(text_of(empty))

    one_missing = client.post(url, data={**form.hidden, **answers(objectives=(4,))})
    assert one_missing.status_code == 422
    assert "Say how well objective 2 was met." in text_of(one_missing)
    assert "Choose a star rating" not in text_of(one_missing)

    too_long = client.post(url, data={**form.hidden, **answers(rating=2, comments="x" * 2001)})
    assert too_long.status_code == 422
    assert "Keep your comments under 2000 characters." in text_of(too_long)
    kept = form_in(too_long.get_data(as_text=True), "comments")
    assert kept.checked["rating"] == "2" and kept.values["comments"] == "x" * 2001
    assert evaluations() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingTotal)) == 0

    just_fits = client.post(url, data={**form.hidden, **answers(comments="x" * 2000)})
    assert just_fits.status_code == 303
    assert len(evaluations()[0].comments) == 2000


# 3. One evaluation per learner and course.


def test_revising_updates_the_one_evaluation_and_the_rating(app, courses_dir, client):
    set_course(courses_dir)
    result = take_quiz(client, "demo-lesson")
    assert evaluate(client, result, rating=5, objectives=(5, 5)).status_code == 303
    assert course_line(client, "demo-lesson") == []  # a vote once the certificate is issued
    certify(client, result)
    assert course_line(client, "demo-lesson") == [(1, 100)]

    link = re.search(
        r'<a href="([^"]+)">Revise my course evaluation</a>',
        client.get(result).get_data(as_text=True),
    )
    assert link and link.group(1) == evaluation_url(result)
    page = client.get(link.group(1))
    assert "You have evaluated this course before." in text_of(page)
    form = form_in(page.get_data(as_text=True), "comments")
    assert form.checked == {
        "rating": "5",
        "objective_1": "5",
        "objective_2": "5",
        "relevance": "4",
        "presenter_knowledge": "5",
        "recommend": "yes",
    }
    revised = client.post(
        link.group(1),
        data={
            **form.hidden,
            **form.checked,
            "rating": "3",
            "objective_2": "2",
            "comments": "Revised.",
        },
    )
    assert revised.status_code == 303
    assert "Your evaluation has been updated." in text_of(
        client.get(revised.headers["Location"], follow_redirects=True)
    )  # to the certificate

    (evaluation,) = evaluations()
    assert (evaluation.rating, evaluation.comments) == (3, "Revised.")
    assert [(o.position, o.score) for o in evaluation.objectives] == [(1, 5), (2, 2)]
    assert course_line(client, "demo-lesson") == [(1, 60)]
    assert catalog_line(client, "demo-lesson") == [(1, 60)]

    # A second pass: the certificate is not held back again, and a new answer revises the row.
    second = take_quiz(client, "demo-lesson")
    assert details_page(client, second)[1].status_code == 200
    assert evaluate(client, second, rating=4).status_code == 303  # still the certified one's
    assert [e.rating for e in evaluations()] == [4]
    assert course_line(client, "demo-lesson") == [(1, 80)]
    total = db.session.get(RatingTotal, course_id("demo-lesson"))
    assert (total.votes, total.stars) == (1, 4)


# 4. The rating line.


@pytest.mark.parametrize(
    "ratings, percent",
    [
        ((4, 3), 70),
        ((5, 4, 4), 87),
        ((4, 3, 3, 4), 70),
        ((3, 4, 4), 73),
        ((4, 5), 90),
        ((4, 4, 4, 4, 3, 3, 3, 2), 68),
        ((1, 1, 1, 1, 1, 1, 1, 2), 23),
        ((5, 5, 5, 5, 5, 5, 5, 4), 98),
        ((1,), 20),
        ((5,), 100),
        ((2, 3), 50),
    ],
)
def test_the_rating_percent_is_rounded_half_up(ratings, percent):
    assert RatingLine(len(ratings), sum(ratings)).percent == percent


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=60))
def test_the_rating_percent_is_the_mean_rounded_half_up(ratings):
    exact = Decimal(sum(ratings)) * 20 / Decimal(len(ratings))
    assert RatingLine(len(ratings), sum(ratings)).percent == int(
        exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def test_the_rating_line_shows_the_votes_and_the_rounded_mean(synced, client):
    for page in ("/courses/demo-lesson", "/courses/demo-modules", "/"):
        assert "Rating of this course" not in client.get(page).get_data(as_text=True)

    # After each vote: 4 → 80%, 4 3 → 70%, 4 3 4 → 73.3%, …, eight votes of 27 stars → 67.5%.
    expected = [(1, 80), (2, 70), (3, 73), (4, 70), (5, 72), (6, 70), (7, 69), (8, 68)]
    for number, (rating, line) in enumerate(zip((4, 3, 4, 3, 4, 3, 3, 3), expected, strict=True)):
        learner = synced.test_client()
        result = take_quiz(learner, "demo-lesson")
        assert evaluate(learner, result, rating=rating).status_code == 303
        certify(learner, result, email=f"learner{number}@example.org")  # certified: a vote
        assert course_line(client, "demo-lesson") == [line]
        assert catalog_line(client, "demo-lesson") == [line]
    assert "Rating of this course" not in text_of(client.get("/courses/demo-modules"))
    assert catalog_line(client, "demo-modules") == []

    for number, rating in enumerate((5, 4, 4)):
        learner = synced.test_client()
        result = take_quiz(learner, "demo-modules")
        assert evaluate(learner, result, rating=rating, objectives=(3,)).status_code == 303
        certify(learner, result, email=f"learner{number}@example.org", **LICENSE)
    assert course_line(client, "demo-modules") == [(3, 87)]
    assert catalog_line(client, "demo-modules") == [(3, 87)]
    assert catalog_line(client, "demo-lesson") == [(8, 68)]
    assert "Rating of this course out of 3 votes: 87%" in text_of(client.get("/"))


# 5. Reflections.


def test_a_reflection_waits_for_a_moderator_by_default(synced, client):
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert PROMPT in text_of(client.get("/courses/demo-lesson"))
    form = form_in(html, "display_name")
    assert form.action == "/courses/demo-lesson/reflections"
    assert set(form.values) == {"display_name", "body"}  # no email asked for
    assert set(form.hidden) == {"csrf_token", "form_key"}

    body = "Noticing my inner critic\r\nmade me kinder to clients.   "
    data = {**form.hidden, "display_name": "  Ana   R. ", "body": body}
    first = client.post(form.action, data=data)
    assert first.status_code == 303
    assert first.headers["Location"] == "/courses/demo-lesson#share-heading"
    assert client.post(form.action, data=data).status_code == 303  # a double click
    stranger = synced.test_client()
    stolen = {
        **data,
        "csrf_token": reflection_form(stranger).hidden["csrf_token"],
        "body": "Someone else's words.",
    }
    assert stranger.post(form.action, data=stolen).status_code == 303
    assert "This form was already used." in text_of(stranger.get("/courses/demo-lesson"))
    (reflection,) = reflections()
    assert (reflection.status, reflection.display_name, reflection.body) == (
        "pending",
        "Ana R.",
        "Noticing my inner critic\nmade me kinder to clients.",
    )

    page = text_of(client.get("/courses/demo-lesson"))
    assert "It will appear once a moderator has approved it." in page
    assert "inner critic" not in page
    assert "inner critic" not in text_of(client.get("/courses/demo-lesson/reflections"))

    moderate_reflection(reflection.id, APPROVED)
    for address in ("/courses/demo-lesson", "/courses/demo-lesson/reflections"):
        page = text_of(client.get(address))
        assert "Ana R." in page and "Noticing my inner critic made me kinder" in page


def test_without_moderation_a_reflection_shows_at_once_as_plain_text(app, courses_dir, client):
    set_course(courses_dir, evaluation=OPTIONAL, extra=NO_MODERATION)
    body = (
        'Loved it <script>alert("x")</script> and see <a href="https://evil.example/">my site</a>'
    )
    name = "<b>Eve</b> <img src=x onerror=alert(1)>"
    response = share(client, display_name=name, body=body)
    assert response.status_code == 303
    (reflection,) = reflections()
    assert reflection.status == APPROVED
    for address in ("/courses/demo-lesson", "/courses/demo-lesson/reflections"):
        html = client.get(address).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html and "<script>alert" not in html
        assert "&lt;a href=" in html and 'href="https://evil.example/"' not in html
        assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve" not in html
        assert "<img src=x" not in html
    assert "moderator" not in text_of(client.get("/courses/demo-lesson"))


def test_empty_or_overlong_reflections_are_refused(synced, client):
    synced.config["REFLECTION_RATE_LIMIT"] = "100 per hour"
    for typed, message in [
        ({"body": "x" * 1501}, "Keep your reflection under 1500 characters."),
        ({"display_name": "N" * 81}, "Keep the name under 80 characters."),
        ({"body": "  "}, "Write your reflection before sharing it."),
        ({"display_name": ""}, "Enter the name to show with your reflection."),
    ]:
        response = share(client, **typed)
        assert response.status_code == 422, typed
        assert message in text_of(response)
    assert reflections() == []

    kept = form_in(
        share(client, display_name="N" * 81, body="Kept.").get_data(as_text=True), "display_name"
    )
    assert kept.values["body"] == "Kept."
    assert share(client, display_name="N" * 80, body="y" * 1500).status_code == 303
    (reflection,) = reflections()
    assert (len(reflection.display_name), len(reflection.body)) == (80, 1500)


def test_sharing_reflections_is_rate_limited(synced, client):
    synced.config["REFLECTION_RATE_LIMIT"] = "2 per hour"
    assert share(client, body="One.").status_code == 303
    assert share(client, body="Two.").status_code == 303
    third = share(client, body="Three.")
    assert third.status_code == 429
    assert "Too many requests" in text_of(third)
    assert "Please wait a moment and try again." in text_of(third)
    assert [r.body for r in reflections()] == ["One.", "Two."]


def test_reflections_can_be_switched_off(app, courses_dir, client):
    set_course(courses_dir, evaluation=OPTIONAL, extra="reflections:\n  enabled: false\n")
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert PROMPT not in html and "Share your reflection" not in html
    assert 'id="reflections"' not in html
    token = quiz_form_in(html).hidden["csrf_token"]
    response = client.post(
        "/courses/demo-lesson/reflections",
        data={"csrf_token": token, "form_key": "k" * 24, "display_name": "Ana", "body": "Hello."},
    )
    assert response.status_code == 404
    assert reflections() == []
    assert PROMPT in text_of(client.get("/courses/demo-modules"))  # other courses unaffected


def test_switched_off_reflections_have_no_page_either(app, courses_dir, client):
    set_course(courses_dir, evaluation=OPTIONAL, extra="reflections:\n  enabled: false\n")
    assert client.get("/courses/demo-lesson/reflections").status_code == 404


def test_all_reflections_are_paged_twenty_at_a_time(synced, client):
    learner = Learner(token="reflection-author")
    db.session.add(learner)
    db.session.flush()
    start, lesson, modules = (
        utcnow() - timedelta(days=1),
        course_id("demo-lesson"),
        course_id("demo-modules"),
    )

    def add(number: int, status: str = APPROVED, course: int = lesson) -> None:
        db.session.add(
            Reflection(
                form_key=f"key-{number:03d}-{status}-{course}",
                course_id=course,
                learner_id=learner.id,
                display_name=f"Author {number}",
                body=f"Reflection {number}.",
                status=status,
                created_at=start + timedelta(minutes=number),
            )
        )

    for number in range(1, 24):
        add(number)
    add(30, "pending")
    add(31, HIDDEN)
    add(32, course=modules)
    db.session.commit()

    course = text_of(client.get("/courses/demo-lesson"))
    assert [int(n) for n in re.findall(r"Reflection (\d+)\.", course)] == [23, 22, 21, 20, 19]
    assert "Read all reflections" in course

    first = client.get("/courses/demo-lesson/reflections").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"Reflection (\d+)\.", first)] == list(range(23, 3, -1))
    assert "Page 1 of 2" in text_of(client.get("/courses/demo-lesson/reflections"))
    older = re.search(r'<a href="([^"]+)">Older reflections</a>', first)
    assert older and "Newer reflections" not in first
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"Reflection (\d+)\.", second)] == [3, 2, 1]
    assert "Newer reflections" in second and "Older reflections" not in second


# 6. The running totals always equal a recount from the stored rows.


def new_version(courses_dir, number: int) -> None:
    """Publish a new version of the demo lesson (its summary changes)."""
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        re.sub(
            r"^summary: .*$",
            f"summary: A small course, edition {number}.",
            course.read_text(),
            flags=re.M,
        )
    )
    sync_courses(courses_dir)


STEP = st.tuples(
    st.integers(0, 2),
    st.sampled_from(["pass", "fail", "version", "cert-a", "cert-b", 1, 2, 3, 4, 5]),
)
MIXED = [
    (0, "pass"),
    (1, "fail"),
    (0, 5),
    (1, "pass"),
    (1, 2),
    (0, "version"),
    (2, "fail"),
    (2, "pass"),
    (2, 4),
    (1, "fail"),
    (0, 3),
    (1, "pass"),
    (1, 5),
    (2, 1),
]
CERTIFIED = [
    (0, "pass"),
    (0, 4),
    (0, "cert-a"),
    (1, "pass"),
    (1, "cert-a"),
    (1, 2),
    (2, "pass"),
    (2, 5),
    (2, "cert-b"),
    (0, 1),
    (2, "pass"),
    (2, "cert-a"),
    (2, 3),
]


def run_steps(app, courses_dir, steps, revisions: bool) -> None:
    """Learners 0-2 pass or fail the quiz, get the certificate of their latest pass for
    address a or b, evaluate (again only with `revisions`), or a new version is published."""
    clients = [app.test_client() for _ in range(3)]
    passed: dict[int, str] = {}
    evaluated: set[int] = set()
    certified: set[str] = set()
    for learner, step in steps:
        client = clients[learner]
        if step == "version":
            new_version(courses_dir, len(steps) * 10 + learner)
        elif step in ("cert-a", "cert-b"):
            if learner in passed and passed[learner] not in certified:
                certify(client, passed[learner], email=f"{step[-1]}@example.org")
                certified.add(passed[learner])
        elif step in ("pass", "fail"):
            result = take_quiz(client, "demo-lesson", passing=step == "pass")
            if step == "pass":
                passed[learner] = result
        elif learner in passed and (revisions or learner not in evaluated):
            response = evaluate(
                client,
                passed[learner],
                rating=step,
                objectives=(step, 6 - step),
                relevance=max(1, step - 1),
                recommend="yes" if step > 2 else "no",
            )
            assert response.status_code == 303
            evaluated.add(learner)


def assert_totals_equal_a_recount() -> None:
    kept = totals()
    assert kept["evaluation_tallies"] or not evaluations()
    assert bool(kept["rating_totals"]) == bool(kept["rating_votes"])  # the public line's votes
    recount_totals()
    assert totals() == kept


@pytest.mark.parametrize("revisions", [False, True], ids=["first-evaluations", "revisions"])
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=8))
@example(steps=MIXED)
@example(steps=CERTIFIED)
def test_running_totals_always_equal_a_recount(synced, courses_dir, revisions, steps):
    run_steps(synced, courses_dir, steps, revisions=revisions)
    assert_totals_equal_a_recount()


def test_a_failure_while_counting_keeps_no_evaluation(synced, client, monkeypatch):
    result = take_quiz(client, "demo-lesson")
    form = evaluation_form(client, result)

    def count_fails(evaluation):
        raise RuntimeError("the totals could not be written")

    monkeypatch.setattr(services, "count_evaluation", count_fails)
    with pytest.raises(RuntimeError):
        client.post(evaluation_url(result), data={**form.hidden, **answers()})
    db.session.rollback()  # as the error handler does
    assert evaluations() == []


# 7. Two first evaluations at the same moment.


def _post_together(synced, client, result, form, ratings) -> list:
    """Post the evaluation form from one learner in several threads at the same moment."""
    cookies = {name: client.get_cookie(name).value for name in ("ceengine_learner", "session")}
    db.session.commit()
    barrier, responses, errors = threading.Barrier(len(ratings)), [], []

    def submit(rating: int) -> None:
        try:
            with synced.app_context():
                other = synced.test_client()
                for name, value in cookies.items():
                    other.set_cookie(name, value)
                barrier.wait(timeout=10)
                responses.append(
                    other.post(
                        evaluation_url(result), data={**form.hidden, **answers(rating=rating)}
                    )
                )
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(rating,)) for rating in ratings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    db.session.rollback()
    return responses


def _one_vote_and_totals_match_a_recount() -> None:
    (evaluation,) = evaluations()
    total = db.session.get(RatingTotal, course_id("demo-lesson"))
    assert (total.votes, total.stars) == (1, evaluation.rating)
    assert [(v.evaluation_id, v.stars) for v in votes()] == [(evaluation.id, evaluation.rating)]
    kept = totals()
    recount_totals()
    assert totals() == kept


def test_two_simultaneous_first_evaluations_make_one(synced, client):
    result = take_quiz(client, "demo-lesson")
    certify(client, result)  # so that the evaluation is a vote on the public line
    form = evaluation_form(client, result)
    responses = _post_together(synced, client, result, form, (4, 2))
    assert sorted(r.status_code for r in responses) == [303, 303]
    _one_vote_and_totals_match_a_recount()


def test_simultaneous_revisions_keep_the_totals_exact(synced, client):
    result = take_quiz(client, "demo-lesson")
    certify(client, result)
    form = evaluation_form(client, result)
    assert (
        client.post(evaluation_url(result), data={**form.hidden, **answers(rating=5)}).status_code
        == 303
    )
    for _ in range(3):  # each round: three revisions of the one evaluation at once
        responses = _post_together(synced, client, result, form, (1, 3, 4))
        assert sorted(r.status_code for r in responses) == [303, 303, 303]
        _one_vote_and_totals_match_a_recount()


# 8. Only learners with a certificate vote on the public line, once per address.

LICENSE = {
    "profession": "Registered Nurse",
    "license_type": "RN",
    "license_number": "RN-55",
    "license_state": "Oregon",
}


def votes() -> list[RatingVote]:
    return list(db.session.scalars(sa.select(RatingVote).order_by(RatingVote.email_key)))


def test_scripted_one_star_evaluations_without_certificates_leave_the_public_line_alone(
    synced, client, monkeypatch
):
    for number in range(30):  # 30 fresh cookies, each passing and giving one star
        bot = synced.test_client()
        assert (
            evaluate(
                bot, take_quiz(bot, "demo-lesson"), rating=1, comments=f"Terrible {number}"
            ).status_code
            == 303
        )
    assert course_line(client, "demo-lesson") == []
    assert catalog_line(client, "demo-lesson") == []
    assert "Rating of this course" not in text_of(client.get("/"))
    assert len(evaluations()) == 30 and votes() == []

    # The admin still sees all 30 responses, each marked as not on the public line.
    quick_password_hashes(monkeypatch)
    admin = admin_client(synced)
    lesson = course_id("demo-lesson")
    ratings = text_of(admin.get(f"/admin/ratings?course={lesson}"))
    assert "All responses: 20% from 30 votes (mean 1.00 of 5 stars)" in ratings
    assert "Public rating line: none yet: no learner with a certificate has evaluated" in ratings
    assert ratings.count("No certificate: not on the public line") == 3  # latest comments
    comments = text_of(admin.get(f"/admin/comments?course={lesson}"))
    assert comments.count("No certificate: not on the public line") == 25  # the first page
    summary = text_of(admin.get(f"/admin/evaluations?course={lesson}"))
    assert "30 evaluations." in summary
    assert "None of them counts on the public rating line" in summary
    rows = csv_records(admin.get("/admin/exports/evaluations.csv"))
    assert len(rows) == 30
    assert {(row["certified"], row["public_vote"]) for row in rows} == {("no", "no")}


def test_a_certified_learners_vote_counts_once_whichever_comes_first(synced, courses_dir, client):
    # The certificate first (the evaluation is optional), then the evaluation.
    result = take_quiz(client, "demo-lesson")
    certify(client, result, email="ana@example.org")
    assert course_line(client, "demo-lesson") == []  # certified, but no evaluation yet
    assert evaluate(client, result, rating=4).status_code == 303
    assert course_line(client, "demo-lesson") == [(1, 80)]
    assert catalog_line(client, "demo-lesson") == [(1, 80)]
    assert evaluate(client, result, rating=2).status_code == 303  # a revision: still one vote
    assert course_line(client, "demo-lesson") == [(1, 40)]

    # The evaluation first (required), then the certificate: it counts once issued.
    set_course(courses_dir)
    other = synced.test_client()
    second = take_quiz(other, "demo-lesson")
    assert evaluate(other, second, rating=5).status_code == 303
    assert course_line(client, "demo-lesson") == [(1, 40)]
    certify(other, second, email="ben@example.org")
    assert course_line(client, "demo-lesson") == [(2, 70)]
    assert details_page(other, second)[1].status_code == 303  # to the certificate, not again
    assert course_line(client, "demo-lesson") == [(2, 70)]
    assert [(v.email_key, v.stars) for v in votes()] == [
        ("ana@example.org", 2),
        ("ben@example.org", 5),
    ]
    assert_totals_equal_a_recount()


def test_one_address_with_two_cookies_counts_once_and_a_revision_moves_the_vote(synced, client):
    first, second = synced.test_client(), synced.test_client()
    one = take_quiz(first, "demo-lesson")
    assert evaluate(first, one, rating=5).status_code == 303
    certify(first, one, email="ana@example.org")
    assert course_line(client, "demo-lesson") == [(1, 100)]

    two = take_quiz(second, "demo-lesson")
    certify(second, two, email="Ana@Example.ORG")  # the same address, typed otherwise
    assert course_line(client, "demo-lesson") == [(1, 100)]
    assert evaluate(second, two, rating=1).status_code == 303  # the address's latest
    assert course_line(client, "demo-lesson") == [(1, 20)]
    assert evaluate(first, one, rating=3).status_code == 303  # now this one is the latest
    assert course_line(client, "demo-lesson") == [(1, 60)]
    assert catalog_line(client, "demo-lesson") == [(1, 60)]
    (vote,) = votes()
    assert (vote.email_key, vote.stars) == ("ana@example.org", 3)
    assert len(evaluations()) == 2
    assert_totals_equal_a_recount()


def test_a_reissue_moves_the_vote_to_the_corrected_address_and_a_revoke_removes_it(
    synced, client, monkeypatch
):
    first, second = synced.test_client(), synced.test_client()
    one = take_quiz(first, "demo-lesson")
    assert evaluate(first, one, rating=5).status_code == 303
    certify(first, one, email="ana@exmaple.org")  # mistyped
    two = take_quiz(second, "demo-lesson")
    assert evaluate(second, two, rating=1).status_code == 303
    certify(second, two, email="ana@example.org")
    assert course_line(client, "demo-lesson") == [(2, 60)]
    typo, right = certificates()

    quick_password_hashes(monkeypatch)
    admin = admin_client(synced)
    reissued = post_action(
        admin,
        f"/admin/certificates/{typo.number}/reissue",
        full_name=typo.full_name,
        email="ana@example.org",
        reason="The email address was mistyped",
        confirm="y",
    )
    assert reissued.status_code == 303
    # One address now: its latest evaluation (one star, from the second cookie) is its vote.
    assert course_line(client, "demo-lesson") == [(1, 20)]
    assert_totals_equal_a_recount()

    revoked = post_action(
        admin, f"/admin/certificates/{right.number}/revoke", reason="Issued in error", confirm="y"
    )
    assert revoked.status_code == 303
    assert course_line(client, "demo-lesson") == [(1, 100)]  # the other holder's vote
    new = certificates()[-1]
    assert (
        post_action(
            admin, f"/admin/certificates/{new.number}/revoke", reason="Issued in error", confirm="y"
        ).status_code
        == 303
    )
    assert course_line(client, "demo-lesson") == []
    assert len(evaluations()) == 2  # kept for the admin
    assert_totals_equal_a_recount()


@pytest.fixture
def paid(stripe_fake, paying_app):
    """The app with payments on, pointed at the local Stripe."""
    return paying_app(stripe_fake)


def test_a_paid_certificate_counts_the_vote_once_paid_and_a_refund_takes_it_back(paid, stripe_fake):
    client = paid.test_client()
    result = take_quiz(client, "demo-modules")
    assert evaluate(client, result, rating=2, objectives=(3,)).status_code == 303
    response = submit_details(
        client, result, full_name="Ben Okafor", email="ben@example.org", **LICENSE
    )
    assert response.status_code == 303
    checkout = response.headers["Location"]
    assert checkout.startswith(stripe_fake.url)
    assert course_line(client, "demo-modules") == []  # not paid: no certificate, no vote

    back = client.get(local(pay(checkout)))  # the success page fulfils the order
    assert back.status_code == 303 and "/certificates/" in back.headers["Location"]
    assert course_line(client, "demo-modules") == [(1, 40)]
    assert catalog_line(client, "demo-modules") == [(1, 40)]
    # The webhook for the same payment arrives too: still one vote.
    session_id = checkout.rsplit("/", 1)[-1]
    event = stripe_fake.session_event("checkout.session.completed", session_id)
    assert stripe_fake.deliver(client, event)[0] == 200
    assert course_line(client, "demo-modules") == [(1, 40)]

    status, _ = stripe_fake.deliver(client, stripe_fake.charge_refunded_event(session_id))
    assert status == 200
    assert course_line(client, "demo-modules") == []  # refunded: revoked, no longer counted
    assert_totals_equal_a_recount()


def test_two_cookies_certified_for_one_address_at_the_same_moment_make_one_vote(synced):
    learners = [synced.test_client() for _ in range(2)]
    posts = []
    for rating, learner in zip((2, 5), learners, strict=True):
        result = take_quiz(learner, "demo-lesson")
        assert evaluate(learner, result, rating=rating).status_code == 303
        address, page = details_page(learner, result)
        form = form_in(page.get_data(as_text=True), "full_name")
        posts.append(
            (
                learner,
                address,
                {
                    **form.hidden,
                    **form.values,
                    "full_name": "Ana",
                    "email": "ana@example.org",
                    "attest": "y",
                    "issue": form.submits["issue"],
                },
            )
        )
    db.session.commit()
    barrier, responses, errors = threading.Barrier(2), [], []

    def issue(learner, address, data) -> None:
        try:
            with synced.app_context():
                other = synced.test_client()
                for name in ("ceengine_learner", "session"):
                    other.set_cookie(name, learner.get_cookie(name).value)
                barrier.wait(timeout=10)
                responses.append(other.post(address, data=data))
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=issue, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    db.session.rollback()
    assert sorted(r.status_code for r in responses) == [303, 303]
    assert len(certificates()) == 2
    (vote,) = votes()
    assert vote.stars == 5  # the address's latest evaluation
    assert course_line(synced.test_client(), "demo-lesson") == [(1, 100)]
    assert_totals_equal_a_recount()
