"""Steps shared by the feedback tests: course settings, the evaluation form, the rating line."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.feedback.models import EvaluationTally, RatingTotal, RatingVote
from ceengine.quizzes.models import ItemResultTally, VersionResultTally
from tests.support.certificate_steps import submit_details
from tests.support.html import form_in, text_of

OPTIONAL = (
    "evaluation:\n  required: false  # the certificate tests skip it; "
    "tests/feedback/test_feedback.py turns it on\n"
)
TOTALS = (RatingTotal, RatingVote, EvaluationTally, VersionResultTally, ItemResultTally)
RATING_LINE = re.compile(r"Rating of this course out of (\d+) votes?: (\d+)%")


def set_course(
    courses_dir, slug: str = "demo-lesson", evaluation: str = "", extra: str = ""
) -> None:
    """Replace the fixture's `evaluation: required: false` (empty = the default) and load it."""
    course = courses_dir / slug / "course.yaml"
    text = course.read_text()
    assert OPTIONAL in text, "the fixture course no longer ends with the optional evaluation"
    course.write_text(text.replace(OPTIONAL, evaluation) + extra)
    sync_courses(courses_dir)


def evaluation_url(result_url: str) -> str:
    """The evaluation page of the attempt whose result page is `result_url`."""
    return result_url.rstrip("/") + "/evaluation"


def evaluation_form(client, result_url: str):
    """The evaluation form as served to this learner."""
    page = client.get(evaluation_url(result_url))
    assert page.status_code == 200, page.status_code
    return form_in(page.get_data(as_text=True), "comments")


def answers(
    rating=5, objectives=(5, 4), relevance=4, presenter_knowledge=5, recommend="yes", comments=""
) -> dict[str, str]:
    """A complete set of evaluation answers, as the browser posts them."""
    data = {
        "rating": rating,
        "relevance": relevance,
        "presenter_knowledge": presenter_knowledge,
        "recommend": recommend,
        "comments": comments,
    }
    data.update({f"objective_{n}": score for n, score in enumerate(objectives, start=1)})
    return {name: str(value) for name, value in data.items() if value is not None}


def evaluate(client, result_url: str, **chosen):
    """Open the evaluation page, answer it and submit; return the response."""
    form = evaluation_form(client, result_url)
    return client.post(evaluation_url(result_url), data={**form.hidden, **answers(**chosen)})


def rating_lines(html: str) -> list[tuple[int, int]]:
    """Every `Rating of this course out of N votes: X%` line, as (N, X)."""
    return [(int(n), int(x)) for n, x in RATING_LINE.findall(html)]


def totals() -> dict[str, set[tuple]]:
    """The running-total tables, as sets of rows (rows counting nothing left out)."""
    snapshot = {}
    for model in TOTALS:
        table = model.__table__
        counters = [c for c in table.c if not c.primary_key]
        rows = db.session.execute(sa.select(table)).all()
        snapshot[table.name] = {
            tuple(row) for row in rows if any(getattr(row, c.name) for c in counters)
        }
    return snapshot


def zero_rows() -> int:
    """How many running-total rows count nothing (left behind when answers are revised)."""
    return sum(len(db.session.execute(sa.select(model.__table__)).all()) for model in TOTALS) - sum(
        len(rows) for rows in totals().values()
    )


def certify(
    client,
    result_url: str,
    email: str = "ana@example.org",
    full_name: str = "Ana María Núñez",
    **details,
):
    """Get the certificate of a passed attempt (free course) for this address; its page."""
    response = submit_details(client, result_url, full_name=full_name, email=email, **details)
    assert response.status_code == 303, text_of(response)
    assert "/certificates/" in response.headers["Location"], response.headers["Location"]
    return client.get(response.headers["Location"])


def reflection_form(client, slug: str = "demo-lesson"):
    """The reflection form on a course page."""
    return form_in(client.get(f"/courses/{slug}").get_data(as_text=True), "display_name")


def share(client, slug: str = "demo-lesson", **typed):
    """Fill in a fresh reflection form on the course page and press Share."""
    form = reflection_form(client, slug)
    data = {**form.hidden, "display_name": "Ana R.", "body": "Kindness helps.", **typed}
    return client.post(form.action, data=data)


def share_reflection(client, slug: str, name: str, body: str):
    """Write a reflection with the form on the course page; it must be taken."""
    response = share(client, slug, display_name=name, body=body)
    assert response.status_code == 303, text_of(response)
    return response
