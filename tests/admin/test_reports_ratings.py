"""The ratings report as the sponsor's staff read it: votes, percentage, distribution, trend by
month, latest comments (shown as text), and the evaluation summary.

Figures are made through the site's own services (or its pages) and checked against values
worked out here from the raw rows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ceengine.extensions import db
from ceengine.feedback.models import Reflection
from ceengine.feedback.services import EvaluationAnswers, save_evaluation
from ceengine.learners.models import Learner
from tests.support.certificate_steps import take_quiz
from tests.support.factories import evaluation_with, rows_of, version_of
from tests.support.feedback_steps import (
    answers,
    certify,
    evaluation_form,
    evaluation_url,
    rating_lines,
    share_reflection,
)
from tests.support.html import html_of, table_with, text_of
from tests.support.reports import HOSTILE, LESSON, MODULES, body_rows, csv_rows, page, sections_in

# --- steps through the site's pages ----------------------------------------------------------


def evaluate_fully(
    client,
    result_url: str,
    rating: int,
    objectives: list[int],
    relevance: int,
    presenter: int,
    recommend: str,
    comments: str = "",
):
    """Fill in the course evaluation after a passed quiz, as the learner does: the form asks
    exactly these questions, and takes the answers."""
    form = evaluation_form(client, result_url)
    assert set(form.radios) == {
        "rating",
        "relevance",
        "presenter_knowledge",
        "recommend",
        *(f"objective_{n}" for n in range(1, len(objectives) + 1)),
    }
    response = client.post(
        evaluation_url(result_url),
        data={
            **form.hidden,
            **answers(
                rating=rating,
                objectives=objectives,
                relevance=relevance,
                presenter_knowledge=presenter,
                recommend=recommend,
                comments=comments,
            ),
        },
    )
    assert response.status_code == 303, text_of(response)
    return response


# --- ratings -------------------------------------------------------------------------------


def test_ratings_show_votes_percentage_distribution_trend_and_latest_comments(rated, admin):
    sections = sections_in(page(admin, "/admin/ratings"))

    lesson = sections[LESSON]
    # 18 stars from 5 votes: a mean of 3.6 stars, 72% of 5 stars
    assert "72% from 5 votes (mean 3.60 of 5 stars)" in text_of(lesson)
    assert table_with(lesson, "Votes per star rating") == [
        ["Stars", "Votes", "Share"],
        ["5", "2", "40%"],
        ["4", "1", "20%"],
        ["3", "1", "20%"],
        ["2", "0", "0%"],
        ["1", "1", "20%"],
    ]
    # January: 5 and 5 stars (100%); February: 4, 3 and 1 (8 of 15 stars: 53%)
    assert table_with(lesson, "Rating by month") == [
        ["Month", "Votes", "Rating"],
        ["2024-01", "2", "100%"],
        ["2024-02", "3", "53%"],
    ]
    comments = re.findall(r'<p class="comment-body">(.*?)</p>', lesson)
    assert comments == ["Too short for an hour.", "Good pace.", "Loved the breathing practice."]
    assert "1 star · 25 Feb 2024" in text_of(lesson)
    assert f"All comments on {LESSON}" in text_of(lesson)
    assert "No ratings yet." in text_of(sections[MODULES])


def test_ratings_charts_are_labelled_svg_images_beside_tables(rated, admin):
    lesson = sections_in(page(admin, "/admin/ratings"))[LESSON]

    charts = re.findall(
        r'<svg class="chart" role="img" aria-labelledby="([^"]+)"(.*?)</svg>', lesson, re.S
    )
    assert len(charts) == 2
    titles = []
    for labelled_by, drawing in charts:
        title = re.search(rf'<title id="{labelled_by}">(.*?)</title>', drawing)
        assert title, f"the chart's aria-labelledby={labelled_by} names no <title>"
        titles.append(title.group(1))
        assert "<rect" in drawing
    assert titles == [
        f"Distribution of star ratings for {LESSON} (the same figures are in the table)",
        f"Rating percentage by month for {LESSON} (the same figures are in the table)",
    ]
    assert "2 (40%)" in charts[0][1] and "53% of 3" in charts[1][1]
    assert len(re.findall(r"<table", lesson)) == 2


def test_an_evaluation_made_on_the_site_shows_in_the_ratings(synced, admin):
    learner = synced.test_client()
    evaluate_fully(
        learner,
        take_quiz(learner, "demo-lesson"),
        rating=4,
        objectives=[5, 3],
        relevance=4,
        presenter=5,
        recommend="yes",
        comments="Clear and kind.",
    )

    lesson = sections_in(page(admin, "/admin/ratings"))[LESSON]

    assert "80% from 1 vote (mean 4.00 of 5 stars)" in text_of(lesson)
    assert "Clear and kind." in text_of(lesson)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert table_with(lesson, "Rating by month")[1:] == [[month, "1", "80%"]]


def test_a_revised_evaluation_replaces_the_first_in_the_figures(synced, admin):
    learner = synced.test_client()
    result_url = take_quiz(learner, "demo-lesson")
    evaluate_fully(learner, result_url, 1, [1, 1], 1, 1, "no", "First thoughts.")

    evaluate_fully(learner, result_url, 5, [5, 5], 5, 5, "yes", "Second thoughts.")

    lesson = text_of(sections_in(page(admin, "/admin/ratings"))[LESSON])
    assert "100% from 1 vote" in lesson
    assert "Second thoughts." in lesson and "First thoughts." not in lesson
    summary = text_of(page(admin, "/admin/evaluations"))
    assert "1 evaluation. 100% would recommend the course to a colleague." in summary


def test_the_ratings_show_the_public_line_and_mark_each_response(synced, admin):
    # Two cookies certified for one address (the later evaluation is its vote), and a third
    # learner without a certificate.
    first, second, third = (synced.test_client() for _ in range(3))
    one = take_quiz(first, "demo-lesson")
    evaluate_fully(first, one, 2, [2, 2], 2, 2, "no", "Older, same address.")
    certify(first, one, email="ana@example.org")
    two = take_quiz(second, "demo-lesson")
    certify(second, two, email="ANA@example.org")
    evaluate_fully(second, two, 4, [4, 4], 4, 4, "yes", "Counted.")
    evaluate_fully(third, take_quiz(third, "demo-lesson"), 1, [1, 1], 1, 1, "no", "No certificate.")

    lesson = text_of(sections_in(page(admin, "/admin/ratings"))[LESSON])
    assert "Public rating line: 80% from 1 certified vote" in lesson
    assert "All responses: 47% from 3 votes (mean 2.33 of 5 stars)" in lesson
    assert "Counted. 4 stars" in lesson
    assert re.search(
        r"Counted\. 4 stars · \d\d \w+ \d{4} · Counted on the public line "
        r"\(certified\)",
        lesson,
    )
    assert re.search(
        r"Older, same address\. 2 stars · \d\d \w+ \d{4} · Certified, not "
        r"counted: a later evaluation from the same address counts",
        lesson,
    )
    assert re.search(
        r"No certificate\. 1 star · \d\d \w+ \d{4} · No certificate: not on "
        r"the public line",
        lesson,
    )
    comments = text_of(page(admin, "/admin/comments"))
    assert comments.count("Counted on the public line (certified)") == 1
    assert comments.count("No certificate: not on the public line") == 1
    summary = text_of(page(admin, "/admin/evaluations"))
    assert "3 evaluations." in summary
    assert "1 of them counts on the public rating line" in summary
    rows = csv_rows(admin.get("/admin/exports/evaluations.csv"))
    column = {name: rows[0].index(name) for name in ("comments", "certified", "public_vote")}
    marks = {
        row[column["comments"]]: (row[column["certified"]], row[column["public_vote"]])
        for row in rows[1:]
    }
    assert marks == {
        "Older, same address.": ("yes", "no"),
        "Counted.": ("yes", "yes"),
        "No certificate.": ("no", "no"),
    }
    assert rating_lines(text_of(page(admin, "/courses/demo-lesson"))) == [(1, 80)]


# --- comments and reflections are shown as text ---------------------------------------------


def test_comments_and_reflections_are_escaped_on_every_admin_page(synced, admin):
    learner = synced.test_client()
    evaluate_fully(learner, take_quiz(learner, "demo-lesson"), 2, [2, 2], 2, 2, "no", HOSTILE)
    share_reflection(learner, "demo-lesson", "<b>Sam</b>", HOSTILE)

    for address in ("/admin/ratings", "/admin/comments", "/admin/reflections"):
        html = page(admin, address).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, address
        assert "<script>alert(1)" not in html, address
        assert '<a href="https://evil.test/"' not in html, address
        assert "<b>Sam</b>" not in html, address
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html_of(page(admin, "/admin/reflections"))
    reflection = rows_of(Reflection)[0]
    delete_page = page(admin, f"/admin/reflections/{reflection.id}/delete")
    assert "<script>alert(1)" not in html_of(delete_page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_of(delete_page)


# --- the evaluation summary ----------------------------------------------------------------


def test_the_evaluation_summary_averages_each_objective_and_question(synced, admin):
    # (rating, objectives, relevance, presenter's knowledge, recommend)
    evaluation_with("demo-lesson", 5, (5, 4), relevance=5, presenter=4, recommend=True)
    evaluation_with("demo-lesson", 4, (4, 2), relevance=4, presenter=5, recommend=True)
    evaluation_with("demo-lesson", 2, (1, 3), relevance=2, presenter=3, recommend=False)
    evaluation_with("demo-modules", 3, (2,), relevance=4, presenter=4, recommend=False)

    response = page(admin, "/admin/evaluations")

    sections = sections_in(response)
    assert list(sections) == [f"{LESSON} version 1", f"{MODULES} version 1"]
    lesson = sections[f"{LESSON} version 1"]
    assert "3 evaluations. 67% would recommend the course to a colleague." in text_of(lesson)
    assert table_with(
        lesson, "Learning objectives: how well each was met (1 not at all, 5 completely)"
    ) == [
        ["Objective", "Average"],
        ["Name the three parts of self-compassion.", "3.33"],
        ["Describe one informal practice.", "3.00"],
    ]
    assert table_with(lesson, "Other questions (1 to 5)") == [
        ["Question", "Average"],
        ["Overall rating (1-5 stars)", "3.67"],
        ["Relevance to practice (1-5)", "3.67"],
        ["Presenter's knowledge (1-5)", "4.00"],
    ]
    modules = sections[f"{MODULES} version 1"]
    assert "1 evaluation. 0% would recommend the course to a colleague." in text_of(modules)
    assert body_rows(
        table_with(
            modules, "Learning objectives: how well each was met (1 not at all, 5 completely)"
        )
    ) == [["Follow a course module by module.", "2.00"]]


def test_the_evaluation_summary_follows_a_learner_revising_through_the_service(synced, admin):
    first = evaluation_with("demo-lesson", 1, (1, 1), relevance=1, presenter=1, recommend=False)
    learner = db.session.get(Learner, first.learner_id)

    save_evaluation(
        learner,
        version_of("demo-lesson"),
        EvaluationAnswers(
            rating=5, objectives=(4, 5), relevance=5, presenter_knowledge=4, recommend=True
        ),
    )

    lesson = sections_in(page(admin, "/admin/evaluations"))[f"{LESSON} version 1"]
    assert "1 evaluation. 100% would recommend" in text_of(lesson)
    assert body_rows(table_with(lesson, "Other questions (1 to 5)")) == [
        ["Overall rating (1-5 stars)", "5.00"],
        ["Relevance to practice (1-5)", "5.00"],
        ["Presenter's knowledge (1-5)", "4.00"],
    ]
