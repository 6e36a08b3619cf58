"""The admin reports and records, as the sponsor's staff read them.

Ratings (votes, percentage, distribution, trend by month, latest comments), the evaluation
summary, quiz results with item analysis, the course and date filters, moderating
reflections, finding, revoking and reissuing certificates, orders, the CSV exports for
accreditors, paging, and `ceengine admin recount`. Figures are made through the site's own
services (or its pages) and checked against values worked out here from the raw rows.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ceengine.admin.exports import ROSTER_COLUMNS
from ceengine.admin.recount import recount_totals
from ceengine.billing.models import Order
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.feedback.models import APPROVED, HIDDEN, PENDING, EvaluationTally, Reflection
from ceengine.feedback.services import EvaluationAnswers, save_evaluation
from ceengine.learners.models import Learner
from ceengine.quizzes.models import Attempt, AttemptAnswer, VersionResultTally
from tests.support.admin_steps import (
    admin_client,
    at,
    attempt_with,
    certificate_row,
    evaluation_with,
    flashes_in,
    form_posting_to,
    html_of,
    post_action,
    quick_password_hashes,
    reflection_with,
    rows_of,
    sections_in,
    table_with,
    text_of,
    version_of,
)
from tests.support.certificate_steps import certificates, issue, take_quiz
from tests.support.feedback_steps import certify, rating_lines
from tests.support.html import form_in

LESSON, MODULES = "Demo Lesson on Kindness", "Demo Modules on Compassion"
HOSTILE = '<script>alert(1)</script> <a href="https://evil.test/">click me</a>'


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch):
    quick_password_hashes(monkeypatch)


@pytest.fixture
def admin(synced):
    """A browser signed in to the admin console, with the fixture courses loaded."""
    return admin_client(synced)


def page(client, address: str):
    """GET an admin page that must be there."""
    response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return response


def course_id(slug: str) -> int:
    return version_of(slug).course_id


def body_rows(rows: list[list[str]]) -> list[list[str]]:
    """A table's rows without its header row."""
    return rows[1:]


def outbox(app) -> list:
    """Emails sent so far (flask_mailman's locmem backend keeps them on the extension)."""
    return getattr(app.extensions["mailman"], "outbox", [])


# --- steps through the site's pages --------------------------------------------------------


def evaluate(client, result_url: str, rating: int, objectives: list[int], relevance: int,
             presenter: int, recommend: str, comments: str = ""):
    """Fill in the course evaluation after a passed quiz, as the learner does."""
    address = f"{result_url}/evaluation"
    form = form_in(client.get(address).get_data(as_text=True), "comments")
    assert set(form.radios) == {"rating", "relevance", "presenter_knowledge", "recommend",
                                *(f"objective_{n}" for n in range(1, len(objectives) + 1))}
    data = {**form.hidden, "rating": str(rating), "relevance": str(relevance),
            "presenter_knowledge": str(presenter), "recommend": recommend,
            "comments": comments}
    data |= {f"objective_{n}": str(score) for n, score in enumerate(objectives, start=1)}
    response = client.post(address, data=data)
    assert response.status_code == 303, text_of(response)
    return response


def share_reflection(client, slug: str, name: str, body: str):
    """Write a reflection with the form on the course page."""
    form = form_in(client.get(f"/courses/{slug}").get_data(as_text=True), "form_key")
    response = client.post(f"/courses/{slug}/reflections",
                           data={**form.hidden, "display_name": name, "body": body})
    assert response.status_code == 303, text_of(response)
    return response


def public_reflections(client, slug: str) -> str:
    """The text of the course page and of its reflections page."""
    return text_of(client.get(f"/courses/{slug}")) + text_of(client.get(
        f"/courses/{slug}/reflections"))


def moderate(admin, reflection_id: int, action: str, listing: str = "/admin/reflections"):
    """Press Approve or Hide on the moderation list."""
    form = form_posting_to(page(admin, listing), f"/reflections/{reflection_id}/{action}")
    return admin.post(form.action, data=form.hidden)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- ratings -------------------------------------------------------------------------------

RATINGS = [(5, "2024-01-10", "Loved the breathing practice."), (5, "2024-01-20", ""),
           (4, "2024-02-03", "Good pace."), (3, "2024-02-14", ""),
           (1, "2024-02-25", "Too short for an hour.")]


@pytest.fixture
def rated(synced):
    """Five ratings of the lesson course over January and February 2024."""
    for rating, day, comments in RATINGS:
        evaluation_with("demo-lesson", rating, comments=comments, when=at(day, 23))
    recount_totals()  # the totals follow the back-dated evaluations
    return synced


def test_ratings_show_votes_percentage_distribution_trend_and_latest_comments(rated, admin):
    sections = sections_in(page(admin, "/admin"))

    lesson = sections[LESSON]
    # 18 stars from 5 votes: a mean of 3.6 stars, 72% of 5 stars
    assert "72% from 5 votes (mean 3.60 of 5 stars)" in text_of(lesson)
    assert table_with(lesson, "Votes per star rating") == [
        ["Stars", "Votes", "Share"], ["5", "2", "40%"], ["4", "1", "20%"], ["3", "1", "20%"],
        ["2", "0", "0%"], ["1", "1", "20%"]]
    # January: 5 and 5 stars (100%); February: 4, 3 and 1 (8 of 15 stars: 53%)
    assert table_with(lesson, "Rating by month") == [
        ["Month", "Votes", "Rating"], ["2024-01", "2", "100%"], ["2024-02", "3", "53%"]]
    comments = re.findall(r'<p class="comment-body">(.*?)</p>', lesson)
    assert comments == ["Too short for an hour.", "Good pace.", "Loved the breathing practice."]
    assert "1 star · 25 Feb 2024" in text_of(lesson)
    assert f"All comments on {LESSON}" in text_of(lesson)
    assert "No ratings yet." in text_of(sections[MODULES])


def test_ratings_charts_are_labelled_svg_images_beside_tables(rated, admin):
    lesson = sections_in(page(admin, "/admin"))[LESSON]

    charts = re.findall(r'<svg class="chart" role="img" aria-labelledby="([^"]+)"(.*?)</svg>',
                        lesson, re.S)
    assert len(charts) == 2
    titles = []
    for labelled_by, drawing in charts:
        title = re.search(rf'<title id="{labelled_by}">(.*?)</title>', drawing)
        assert title, f"the chart's aria-labelledby={labelled_by} names no <title>"
        titles.append(title.group(1))
        assert "<rect" in drawing
    assert titles == [
        f"Distribution of star ratings for {LESSON} (the same figures are in the table)",
        f"Rating percentage by month for {LESSON} (the same figures are in the table)"]
    assert "2 (40%)" in charts[0][1] and "53% of 3" in charts[1][1]
    assert len(re.findall(r"<table", lesson)) == 2


def test_an_evaluation_made_on_the_site_shows_in_the_ratings(synced, admin):
    learner = synced.test_client()
    evaluate(learner, take_quiz(learner, "demo-lesson"), rating=4, objectives=[5, 3],
             relevance=4, presenter=5, recommend="yes", comments="Clear and kind.")

    lesson = sections_in(page(admin, "/admin"))[LESSON]

    assert "80% from 1 vote (mean 4.00 of 5 stars)" in text_of(lesson)
    assert "Clear and kind." in text_of(lesson)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert table_with(lesson, "Rating by month")[1:] == [[month, "1", "80%"]]


def test_a_revised_evaluation_replaces_the_first_in_the_figures(synced, admin):
    learner = synced.test_client()
    result_url = take_quiz(learner, "demo-lesson")
    evaluate(learner, result_url, 1, [1, 1], 1, 1, "no", "First thoughts.")

    evaluate(learner, result_url, 5, [5, 5], 5, 5, "yes", "Second thoughts.")

    lesson = text_of(sections_in(page(admin, "/admin"))[LESSON])
    assert "100% from 1 vote" in lesson
    assert "Second thoughts." in lesson and "First thoughts." not in lesson
    summary = text_of(page(admin, "/admin/evaluations"))
    assert "1 evaluation. 100% would recommend the course to a colleague." in summary


def test_the_ratings_show_the_public_line_and_mark_each_response(synced, admin):
    # Two cookies certified for one address (the later evaluation is its vote), and a third
    # learner without a certificate.
    first, second, third = (synced.test_client() for _ in range(3))
    one = take_quiz(first, "demo-lesson")
    evaluate(first, one, 2, [2, 2], 2, 2, "no", "Older, same address.")
    certify(first, one, email="ana@example.org")
    two = take_quiz(second, "demo-lesson")
    certify(second, two, email="ANA@example.org")
    evaluate(second, two, 4, [4, 4], 4, 4, "yes", "Counted.")
    evaluate(third, take_quiz(third, "demo-lesson"), 1, [1, 1], 1, 1, "no", "No certificate.")

    lesson = text_of(sections_in(page(admin, "/admin"))[LESSON])
    assert "Public rating line: 80% from 1 certified vote" in lesson
    assert "All responses: 47% from 3 votes (mean 2.33 of 5 stars)" in lesson
    assert "Counted. 4 stars" in lesson
    assert re.search(r"Counted\. 4 stars · \d\d \w+ \d{4} · Counted on the public line "
                     r"\(certified\)", lesson)
    assert re.search(r"Older, same address\. 2 stars · \d\d \w+ \d{4} · Certified, not "
                     r"counted: a later evaluation from the same address counts", lesson)
    assert re.search(r"No certificate\. 1 star · \d\d \w+ \d{4} · No certificate: not on "
                     r"the public line", lesson)
    comments = text_of(page(admin, "/admin/comments"))
    assert comments.count("Counted on the public line (certified)") == 1
    assert comments.count("No certificate: not on the public line") == 1
    summary = text_of(page(admin, "/admin/evaluations"))
    assert "3 evaluations." in summary
    assert "1 of them counts on the public rating line" in summary
    rows = csv_rows(admin.get("/admin/exports/evaluations.csv"))
    marks = {row[10]: (row[11], row[12]) for row in rows[1:]}
    assert marks == {"Older, same address.": ("yes", "no"), "Counted.": ("yes", "yes"),
                     "No certificate.": ("no", "no")}
    assert rating_lines(text_of(page(admin, "/courses/demo-lesson"))) == [(1, 80)]


# --- comments and reflections are shown as text ---------------------------------------------


def test_comments_and_reflections_are_escaped_on_every_admin_page(synced, admin):
    learner = synced.test_client()
    evaluate(learner, take_quiz(learner, "demo-lesson"), 2, [2, 2], 2, 2, "no", HOSTILE)
    share_reflection(learner, "demo-lesson", "<b>Sam</b>", HOSTILE)

    for address in ("/admin", "/admin/comments", "/admin/reflections"):
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
    assert table_with(lesson, "Learning objectives: how well each was met "
                              "(1 not at all, 5 completely)") == [
        ["Objective", "Average"], ["Name the three parts of self-compassion.", "3.33"],
        ["Describe one informal practice.", "3.00"]]
    assert table_with(lesson, "Other questions (1 to 5)") == [
        ["Question", "Average"], ["Overall rating (1-5 stars)", "3.67"],
        ["Relevance to practice (1-5)", "3.67"], ["Presenter's knowledge (1-5)", "4.00"]]
    modules = sections[f"{MODULES} version 1"]
    assert "1 evaluation. 0% would recommend the course to a colleague." in text_of(modules)
    assert body_rows(table_with(modules, "Learning objectives: how well each was met "
                                         "(1 not at all, 5 completely)")) == [
        ["Follow a course module by module.", "2.00"]]


def test_the_evaluation_summary_follows_a_learner_revising_through_the_service(synced, admin):
    first = evaluation_with("demo-lesson", 1, (1, 1), relevance=1, presenter=1,
                            recommend=False)
    learner = db.session.get(Learner, first.learner_id)

    save_evaluation(learner, version_of("demo-lesson"), EvaluationAnswers(
        rating=5, objectives=(4, 5), relevance=5, presenter_knowledge=4, recommend=True))

    lesson = sections_in(page(admin, "/admin/evaluations"))[f"{LESSON} version 1"]
    assert "1 evaluation. 100% would recommend" in text_of(lesson)
    assert body_rows(table_with(lesson, "Other questions (1 to 5)")) == [
        ["Overall rating (1-5 stars)", "5.00"], ["Relevance to practice (1-5)", "5.00"],
        ["Presenter's knowledge (1-5)", "4.00"]]


# --- quiz results and item analysis ---------------------------------------------------------

# The lesson's six items, answered right (1) or wrong (0), one row per attempt. Item 1 is
# always right, item 6 right once in seven: both get a flag.
PATTERNS = [[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0], [1, 1, 0, 1, 1, 1], [1, 0, 1, 0, 0, 0],
            [1, 1, 1, 1, 1, 0], [1, 0, 0, 1, 0, 0], [1, 1, 0, 0, 1, 0]]


@pytest.fixture
def attempted(synced):
    """Seven attempts at the lesson, two at the module course."""
    for pattern in PATTERNS:
        attempt_with("demo-lesson", [bool(x) for x in pattern])
    attempt_with("demo-modules", [True, True, True])
    attempt_with("demo-modules", [True, False, True])
    return synced


def results_rows(response) -> list[list[str]]:
    return body_rows(table_with(response, "Results per course version"))


def item_rows(response) -> list[list[str]]:
    return body_rows(table_with(response, "Figures per quiz item"))


def test_results_show_attempts_pass_rate_and_mean_score_per_version(attempted, admin):
    rows = results_rows(page(admin, "/admin/results"))

    # the lesson: 5, 4, 5, 2, 5, 2 and 3 of 6 right (83, 66, 83, 33, 83, 33, 50%);
    # 5 of 6 reaches the pass mark of 75%: 3 of 7 passed (43%), a mean of 431/7 = 61.6%
    # the modules: 3 and 2 of 3 (100% and 66%), pass mark 80%: 1 of 2, a mean of 83.0%
    assert rows == [
        [LESSON, "Version 1 item analysis", "7", "3", "43%", "61.6%", "75%"],
        [MODULES, "Version 1 item analysis", "2", "1", "50%", "83.0%", "80%"]]


def test_results_count_quizzes_taken_on_the_site(synced, admin):
    for passing in (True, True, False):
        learner = synced.test_client()
        take_quiz(learner, "demo-lesson", passing=passing)

    rows = results_rows(page(admin, "/admin/results"))

    assert rows == [[LESSON, "Version 1 item analysis", "3", "2", "67%", "66.7%", "75%"]]


def expected_items(version_id: int) -> dict[int, dict]:
    """Share correct and discrimination per item, worked out from the raw answers."""
    right: dict[int, dict[int, int]] = defaultdict(dict)  # item -> attempt -> 0/1
    totals: dict[int, int] = {}
    for answer, attempt in db.session.execute(
            sa.select(AttemptAnswer, Attempt).join(Attempt)
            .where(Attempt.version_id == version_id)):
        right[answer.item_id][attempt.id] = int(answer.correct)
        totals[attempt.id] = attempt.correct
    figures = {}
    for item_id, by_attempt in right.items():
        attempts = sorted(by_attempt)
        x = [by_attempt[a] for a in attempts]
        rest = [totals[a] - by_attempt[a] for a in attempts]
        try:
            index = statistics.correlation(x, rest)
        except statistics.StatisticsError:  # one of them does not vary
            index = None
        figures[item_id] = {"answered": len(x), "share": sum(x) / len(x), "index": index}
    return figures


def test_item_analysis_gives_share_correct_and_the_corrected_item_total_correlation(
        attempted, admin):
    version = version_of("demo-lesson")
    items = list(version.items)
    expected = expected_items(version.id)

    response = page(admin, f"/admin/results/versions/{version.id}")

    assert f"Item analysis: {LESSON} version 1" in text_of(response)
    assert "7 attempts." in text_of(response)
    rows = item_rows(response)
    assert [row[1] for row in rows] == [item.statement for item in items]
    for row, item, pattern_column in zip(rows, items, zip(*PATTERNS, strict=True),
                                         strict=True):
        figures = expected[item.id]
        assert figures["share"] == sum(pattern_column) / 7  # the raw rows are as intended
        position, _, answer, answered, share, index, flag = row
        assert (position, answer, answered) == (str(item.position), item.answer, "7")
        assert share == f"{round(100 * figures['share'])}%"
        assert index == ("—" if figures["index"] is None else f"{figures['index']:.2f}")
    flags = [row[6] for row in rows]
    assert flags[0] == "Nearly everyone gets this right"  # 7 of 7
    assert rows[0][5] == "—"  # no spread: the correlation is undefined
    assert flags[5] == "Nearly everyone misses this"  # 1 of 7
    for row, item in zip(rows[1:5], items[1:5], strict=True):
        weak = expected[item.id]["index"] is not None and expected[item.id]["index"] < 0.1
        assert row[6] == ("Does not separate strong from weak attempts" if weak else "")


def test_results_link_to_each_versions_item_analysis(attempted, admin):
    html = html_of(page(admin, "/admin/results"))
    links = re.findall(r'href="(/admin/results/versions/\d+)"', html)

    assert links == [f"/admin/results/versions/{version_of(slug).id}"
                     for slug in ("demo-lesson", "demo-modules")]
    assert "2 attempts." in text_of(page(admin, links[1]))
    assert admin.get("/admin/results/versions/999999").status_code == 404


# --- filters -------------------------------------------------------------------------------


def test_the_course_filter_narrows_every_report_to_one_course(rated, attempted, admin):
    evaluation_with("demo-modules", 2, comments="Modules comment.")
    modules = course_id("demo-modules")

    ratings = sections_in(page(admin, f"/admin?course={modules}"))
    results = results_rows(page(admin, f"/admin/results?course={modules}"))
    evaluations = sections_in(page(admin, f"/admin/evaluations?course={modules}"))
    comments = text_of(page(admin, f"/admin/comments?course={modules}"))

    assert list(ratings) == [MODULES]
    assert "40% from 1 vote" in text_of(ratings[MODULES])
    assert [row[0] for row in results] == [MODULES]
    assert list(evaluations) == [f"{MODULES} version 1"]
    assert "Modules comment." in comments and "Good pace." not in comments
    chosen = re.search(r'<option selected value="(\d+)">|<option value="(\d+)" selected>',
                       html_of(page(admin, f"/admin?course={modules}")))
    assert chosen and str(modules) in chosen.groups()
    # a course that is not a number is ignored, not an error
    assert set(sections_in(page(admin, "/admin?course=x' OR 1=1 --"))) == {LESSON, MODULES}


def test_dates_narrow_the_ratings_to_the_day_of_each_evaluation(rated, admin):
    february = sections_in(page(admin, "/admin?start=2024-02-01&end=2024-02-29"))[LESSON]
    january = sections_in(page(admin, "/admin?end=2024-01-31"))[LESSON]
    last_day = sections_in(page(admin, "/admin?start=2024-02-25&end=2024-02-25"))[LESSON]
    none = sections_in(page(admin, "/admin?start=2024-03-01"))[LESSON]

    assert "53% from 3 votes" in text_of(february)
    assert body_rows(table_with(february, "Rating by month")) == [["2024-02", "3", "53%"]]
    assert "Loved the breathing practice." not in text_of(february)
    assert "100% from 2 votes" in text_of(january)
    assert "Good pace." not in text_of(january)
    # given at 23:00 UTC on the 25th: the end day counts whole
    assert "20% from 1 vote" in text_of(last_day)
    assert "Too short for an hour." in text_of(last_day)
    assert "No ratings in these dates yet." in text_of(none)


def test_dates_narrow_the_comments_and_the_evaluation_summary(rated, admin):
    comments = text_of(page(admin, "/admin/comments?start=2024-02-01"))
    summary = text_of(page(admin, "/admin/evaluations?start=2024-01-01&end=2024-01-31"))

    assert "Good pace." in comments and "Too short for an hour." in comments
    assert "Loved the breathing practice." not in comments
    assert "2 evaluations." in summary


def test_dates_narrow_the_results_to_the_day_of_each_attempt(synced, admin):
    for n, pattern in enumerate(PATTERNS):
        attempt_with("demo-lesson", [bool(x) for x in pattern],
                     when=at("2024-03-01" if n < 4 else "2024-03-20", 23))
    recount_totals()
    version = version_of("demo-lesson").id

    early = results_rows(page(admin, "/admin/results?end=2024-03-01"))
    late = results_rows(page(admin, "/admin/results?start=2024-03-10"))
    items_late = page(admin, f"/admin/results/versions/{version}?start=2024-03-10")
    between = page(admin, "/admin/results?start=2024-03-02&end=2024-03-19")

    # the first four: 5, 4, 5, 2 right (83, 66, 83, 33%): 2 passed, a mean of 66.25%
    assert early == [[LESSON, "Version 1 item analysis", "4", "2", "50%", "66.2%", "75%"]]
    # the last three: 5, 2, 3 right (83, 33, 50%): 1 passed, a mean of 55.3%
    assert late == [[LESSON, "Version 1 item analysis", "3", "1", "33%", "55.3%", "75%"]]
    assert "3 attempts." in text_of(items_late)
    assert [row[3] for row in item_rows(items_late)] == ["3"] * 6
    assert "No attempts match." in text_of(between)


def test_an_end_before_the_start_is_explained_and_everything_shown(rated, admin):
    for address in ("/admin", "/admin/results", "/admin/evaluations", "/admin/comments",
                    "/admin/certificates", "/admin/reflections", "/admin/orders",
                    "/admin/exports"):
        response = page(admin, f"{address}?start=2024-02-10&end=2024-02-01")
        assert "The end date is before the start date." in text_of(response), address

    lesson = sections_in(page(admin, "/admin?start=2024-02-10&end=2024-02-01"))[LESSON]
    assert "72% from 5 votes" in text_of(lesson)


def test_a_bad_date_drops_only_the_dates_and_an_export_refuses_it(rated, admin):
    other = course_id("demo-modules")
    listing = page(admin, f"/admin?course={other}&start=garbage")
    assert "Not a valid date value." in text_of(listing)
    assert LESSON not in sections_in(listing)  # the course still narrows the page

    for export in ("roster", "evaluations"):
        response = admin.get(f"/admin/exports/{export}.csv?course={other}&start=garbage")
        assert response.status_code == 400, export
        assert "nothing was exported" in text_of(response)
        assert response.mimetype == "text/html"


# --- moderating reflections ----------------------------------------------------------------


@pytest.fixture
def shared(synced):
    """A reflection a learner shared on the lesson's page, waiting for moderation."""
    learner = synced.test_client()
    response = share_reflection(learner, "demo-lesson", "Sam R.", "The pause before replying "
                                "helped me with a hard client today.")
    assert ("Thank you for sharing your reflection. It will appear once a moderator has "
            "approved it.") in flashes_in(learner.get(response.headers["Location"]))
    return rows_of(Reflection)[0]


BODY = "The pause before replying helped me with a hard client today."


def test_a_shared_reflection_waits_in_the_queue_and_is_not_public(synced, admin, shared):
    queue = text_of(page(admin, "/admin/reflections"))

    assert shared.status == PENDING
    assert f"Sam R. on {LESSON}" in queue and BODY in queue and "Pending" in queue
    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")


def test_approving_shows_the_reflection_on_the_course_page(synced, admin, shared):
    response = moderate(admin, shared.id, "approve")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/reflections")
    assert "The reflection by Sam R. is now approved." in flashes_in(
        admin.get(response.headers["Location"]))
    db.session.refresh(shared)
    assert shared.status == APPROVED and shared.moderated_at is not None
    assert BODY in text_of(synced.test_client().get("/courses/demo-lesson"))
    assert "No reflections match." in text_of(page(admin, "/admin/reflections"))
    assert BODY in text_of(page(admin, "/admin/reflections?status=approved"))


def test_hiding_takes_an_approved_reflection_off_the_course_page(synced, admin, shared):
    moderate(admin, shared.id, "approve")

    response = moderate(admin, shared.id, "hide", listing="/admin/reflections?status=approved")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reflections?status=approved"
    db.session.refresh(shared)
    assert shared.status == HIDDEN
    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")
    hidden = text_of(page(admin, "/admin/reflections?status=hidden"))
    assert BODY in hidden and "Hidden" in hidden


def test_a_hidden_pending_reflection_never_reaches_the_public(synced, admin, shared):
    moderate(admin, shared.id, "hide")

    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")
    everything = text_of(page(admin, "/admin/reflections?status=all"))
    assert BODY in everything


def test_deleting_asks_first_then_removes_the_row(synced, admin, shared):
    confirm = page(admin, f"/admin/reflections/{shared.id}/delete")

    assert "Delete this reflection?" in text_of(confirm) and BODY in text_of(confirm)
    assert len(rows_of(Reflection)) == 1  # looking at the page deletes nothing
    form = form_in(html_of(confirm), "csrf_token")
    response = admin.post(f"/admin/reflections/{shared.id}/delete", data=form.hidden)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reflections"
    assert "The reflection has been deleted." in flashes_in(admin.get("/admin/reflections"))
    db.session.expire_all()
    assert rows_of(Reflection) == []
    assert admin.get(f"/admin/reflections/{shared.id}/delete").status_code == 404
    again = admin.post(f"/admin/reflections/{shared.id}/delete", data=form.hidden)
    assert "That reflection had already been deleted." in flashes_in(
        admin.get(again.headers["Location"]))


def test_moderation_never_leads_outside_the_console(synced, admin, shared):
    response = post_action(admin, f"/admin/reflections/{shared.id}/approve",
                           next="https://evil.test/admin/reflections")

    assert response.headers["Location"] == "/admin/reflections"


def test_moderating_a_reflection_that_is_gone_says_so(synced, admin):
    response = post_action(admin, "/admin/reflections/424242/approve")

    assert response.status_code == 303
    assert "That reflection no longer exists." in flashes_in(admin.get("/admin/reflections"))


def test_a_line_break_in_next_goes_back_to_the_list(synced, admin, shared):
    response = post_action(admin, f"/admin/reflections/{shared.id}/approve",
                           next="/admin/reflections\r\nSet-Cookie: x=1")

    assert response.headers["Location"] == "/admin/reflections"


def test_only_approved_reflections_are_public_whatever_their_number(synced, admin):
    for n, status in enumerate([PENDING, APPROVED, HIDDEN, APPROVED, PENDING]):
        reflection = reflection_with("demo-lesson", f"Learner {n}", f"Reflection number {n}.")
        reflection.status = status
    db.session.commit()

    public = public_reflections(synced.test_client(), "demo-lesson")

    assert [n for n in range(5) if f"Reflection number {n}." in public] == [1, 3]
    queue = text_of(page(admin, "/admin/reflections"))
    assert [n for n in range(5) if f"Reflection number {n}." in queue] == [0, 4]


# --- certificates ----------------------------------------------------------------------------


@pytest.fixture
def issued(synced):
    """Certificates for Ana (the lesson) and, issued later, for Kim (the modules)."""
    certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Ana María Núñez",
                    email="Ana.Nunez@Example.org", issued_at=datetime.now(UTC) - timedelta(1))
    certificate_row(attempt_with("demo-modules", [True] * 3), full_name="Kim Lee",
                    email="kim@example.org", profession="Nurse", license_type="RN",
                    license_number="RN-1", license_state="OR")
    ana, kim = certificates()
    return {"ana": ana, "kim": kim}


def listed(client, query: str) -> list[str]:
    """The certificate numbers the certificates list shows for a query string."""
    response = page(client, f"/admin/certificates?{query}")
    if "No certificates match." in text_of(response):
        return []
    return [row[0] for row in body_rows(table_with(response, "Certificates, newest first"))]


def test_certificates_are_found_by_number_name_or_email(issued, admin):
    number = issued["ana"].number
    searches = {f"q={number}": ["ana"],
                f"q={number.lower().replace('-', '')}": ["ana"],  # typed loosely
                f"q=+{number.replace('-', '+')}+": ["ana"],
                "q=Mar%C3%ADa": ["ana"], "q=n%C3%BA%C3%B1ez": ["ana"], "q=lee": ["kim"],
                "q=LEE": ["kim"], "q=ana.nunez%40example": ["ana"],
                "q=EXAMPLE.ORG": ["kim", "ana"],  # newest first
                "q=%25": [], "q=_": [], "q=%5C": [],  # %, _ and \ are plain characters
                "q=nobody-here": []}

    for query, who in searches.items():
        assert listed(admin, query) == [issued[w].number for w in who], query
    assert "No certificates match." in text_of(page(admin, "/admin/certificates?q=nobody"))


def test_the_name_search_ignores_case_in_accented_letters(issued, admin):
    assert listed(admin, "q=N%C3%9A%C3%91EZ") == [issued["ana"].number]


def test_the_status_filter_lists_certificates_by_status(issued, admin):
    post_action(admin, f"/admin/certificates/{issued['kim'].number}/revoke",
                reason="Issued in error", confirm="y")

    assert listed(admin, "status=revoked") == [issued["kim"].number]
    assert listed(admin, "status=valid") == [issued["ana"].number]


def test_a_certificate_page_shows_what_was_printed(issued, admin):
    kim = issued["kim"]

    facts = text_of(page(admin, f"/admin/certificates/{kim.number.lower()}"))

    assert f"Certificate {kim.number}" in facts
    for fact in ("Status Valid", "Name Kim Lee", "Email kim@example.org",
                 "License Nurse, RN, RN-1, OR", f"Course {MODULES}", "CE hours 0.5"):
        assert fact in facts
    assert admin.get("/admin/certificates/7KQ2-M9XD-4HTR-V").status_code == 404


REASON = "Issued in error: the learner retook the quiz"


def test_revoking_needs_a_reason_and_the_ticked_box(issued, admin):
    number = issued["ana"].number

    unticked = post_action(admin, f"/admin/certificates/{number}/revoke", reason=REASON)
    no_reason = post_action(admin, f"/admin/certificates/{number}/revoke", reason="  ",
                            confirm="y")

    assert unticked.status_code == 422
    assert "Tick the box to confirm the revocation." in text_of(unticked)
    assert no_reason.status_code == 422
    assert "Give a reason for revoking." in text_of(no_reason)
    db.session.expire_all()
    assert issued["ana"].status == VALID
    assert "Valid" in text_of(synced_verify(admin, number))


def synced_verify(client, number: str):
    """The public verification page of a certificate."""
    response = client.get(f"/verify/{number}")
    assert response.status_code == 200
    return response


def test_revoking_with_the_box_ticked_shows_revoked_with_the_reason(issued, admin):
    number = issued["ana"].number

    response = post_action(admin, f"/admin/certificates/{number}/revoke", reason=REASON,
                           confirm="y")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/certificates/{number}"
    after = admin.get(response.headers["Location"])
    assert f"Certificate {number} is revoked." in flashes_in(after)
    assert f"Status Revoked: {REASON}" in text_of(after)
    assert "Reissue with corrections" not in text_of(after)  # no forms on a revoked one
    db.session.expire_all()
    assert issued["ana"].status == REVOKED
    public = text_of(synced_verify(admin, number))
    assert "Revoked" in public and REASON in public


def test_reissuing_with_a_corrected_name_supersedes_and_emails_the_new_link(issued, admin,
                                                                             synced):
    old = issued["ana"]
    sent_before = len(outbox(synced))

    response = post_action(admin, f"/admin/certificates/{old.number}/reissue",
                           full_name="Ana María Núñez-Ortiz", email=old.email, confirm="y")

    assert response.status_code == 303
    new = certificates()[-1]
    assert new.number != old.number
    assert response.headers["Location"] == f"/admin/certificates/{new.number}"
    assert (f"Reissued as {new.number}; {old.number} now shows Superseded. The new link was "
            f"emailed to {new.email}.") in flashes_in(admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert (old.status, old.superseded_by_id) == (SUPERSEDED, new.id)
    assert (new.status, new.full_name, new.edition) == (VALID, "Ana María Núñez-Ortiz", 2)
    assert "Superseded" in text_of(synced_verify(admin, old.number))
    assert new.number in text_of(synced_verify(admin, old.number))
    assert f"Replaced by {new.number}" in text_of(page(admin, f"/admin/certificates/{old.number}"))
    assert len(outbox(synced)) == sent_before + 1
    email = outbox(synced)[-1]
    assert new.email.lower() == old.email.lower()  # the same address (domain lower-cased)
    assert email.to == [new.email]
    assert f"Certificate number: {new.number}" in email.body
    assert "Ana María Núñez-Ortiz" in email.body


def test_a_superseded_or_revoked_certificate_offers_no_forms_and_refuses_changes(issued,
                                                                                 admin):
    old = issued["kim"]
    post_action(admin, f"/admin/certificates/{old.number}/reissue", full_name="Kim Lee-Park",
                email=old.email, confirm="y")

    shown = page(admin, f"/admin/certificates/{old.number}")
    # From a tab opened before the reissue: 409, the page as it is now, nothing changed.
    again = post_action(admin, f"/admin/certificates/{old.number}/reissue",
                        full_name="Kim Lee-Park", email=old.email, confirm="y")
    revoke = post_action(admin, f"/admin/certificates/{old.number}/revoke", reason=REASON,
                         confirm="y")

    assert "Status Superseded" in text_of(shown)
    assert "Reissue with corrections" not in text_of(shown) and "Revoke" not in text_of(shown)
    for refused in (again, revoke):
        assert refused.status_code == 409
        assert flashes_in(refused) == [f"Certificate {old.number} is superseded: nothing was "
                                       "changed."]
    assert len(certificates()) == 3  # Ana's, Kim's, and the one reissue
    db.session.expire_all()
    assert old.status == SUPERSEDED and old.revoked_reason is None


def test_reissuing_needs_the_ticked_box_and_an_email_address(issued, admin, synced):
    old = issued["ana"]
    sent_before = len(outbox(synced))

    unticked = post_action(admin, f"/admin/certificates/{old.number}/reissue",
                           full_name="Someone Else", email=old.email)
    bad_address = post_action(admin, f"/admin/certificates/{old.number}/reissue",
                              full_name="Ana Núñez", email="ana at example", confirm="y")

    assert unticked.status_code == 422
    assert "Tick the box to confirm the reissue." in text_of(unticked)
    assert 'value="Someone Else"' in html_of(unticked)  # what was typed is kept
    assert bad_address.status_code == 422
    assert "Enter an email address like name@example.org." in text_of(bad_address)
    assert len(certificates()) == 2 and len(outbox(synced)) == sent_before
    db.session.expire_all()
    assert old.status == VALID


# --- orders --------------------------------------------------------------------------------


@pytest.fixture
def ordered(synced):
    """A paid order and a pending one for the module course (it charges $15)."""
    orders = []
    for status, email in (("paid", "payer@example.org"), ("pending", "waiting@example.org")):
        attempt = attempt_with("demo-modules", [True] * 3)
        order = Order(public_id=f"ord_{status}_1", attempt_id=attempt.id,
                      learner_id=attempt.learner_id, amount_cents=1500, currency="usd",
                      status=status, details={"email": email, "full_name": "Pay Er"})
        db.session.add(order)
        orders.append(order)
    db.session.commit()
    return orders


def test_orders_list_status_and_amount_and_say_payments_are_off(ordered, admin):
    response = page(admin, "/admin/orders")

    rows = body_rows(table_with(response, "Orders, newest first"))
    assert sorted((r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows) == [
        ("ord_paid_1", MODULES, "payer@example.org", "$15.00", "Paid", "—"),
        ("ord_pending_1", MODULES, "waiting@example.org", "$15.00", "Pending", "—")]
    assert ("Payments are off: certificates are free until the Stripe keys are set."
            in text_of(response))
    assert [r[0] for r in body_rows(table_with(page(admin, "/admin/orders?status=paid"),
                                               "Orders, newest first"))] == ["ord_paid_1"]


def test_orders_do_not_say_payments_are_off_when_the_keys_are_set(ordered, admin, synced):
    synced.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")

    response = page(admin, "/admin/orders")

    assert "Payments are off" not in text_of(response)


# --- exports -------------------------------------------------------------------------------


@pytest.fixture
def roster(synced):
    """Three certificates: April 2 (modules), April 10 (lesson, revoked), today (lesson)."""
    first = certificate_row(attempt_with("demo-modules", [True] * 3, when=at("2024-04-02")),
                            full_name='=HYPERLINK("https://evil.test","Fix")',
                            email="+1@example.org", profession="Nurse", license_type="RN",
                            license_number="RN-55", license_state="OR",
                            issued_at=at("2024-04-03"))
    second = certificate_row(attempt_with("demo-lesson", [True] * 6, when=at("2024-04-10")),
                             full_name="Kim Lee", email="kim@example.org",
                             profession="Social worker", license_type="LCSW",
                             license_number="LC-778", license_state="WA",
                             issued_at=at("2024-04-10", 13))
    second.status, second.revoked_reason = REVOKED, "Issued in error"
    second.revoked_at = datetime.now(UTC)
    db.session.commit()
    issue(synced.test_client(), "demo-lesson", full_name="Ana María Núñez",
          email="ana@example.org")
    third = certificates()[-1]
    return [first, second, third]


def test_the_roster_has_one_row_per_certificate_with_what_boards_ask_for(roster, admin):
    first, second, third = roster
    response = admin.get("/admin/exports/roster.csv")

    rows = csv_rows(response)

    assert re.fullmatch(r'attachment; filename="ceengine-roster-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    assert rows[0] == ROSTER_COLUMNS
    today = datetime.now(UTC).date().isoformat()
    assert rows[1:] == [
        ["\'=HYPERLINK(\"https://evil.test\",\"Fix\")", "'+1@example.org", "Nurse", "RN",
         "RN-55", "OR", MODULES, "1", "0.5", "2024-04-02", first.number, "valid", "2024-04-03"],
        ["Kim Lee", "kim@example.org", "Social worker", "LCSW", "LC-778", "WA", LESSON, "1",
         "1", "2024-04-10", second.number, "revoked", "2024-04-10"],
        ["Ana María Núñez", "ana@example.org", "", "", "", "", LESSON, "1", "1", today,
         third.number, "valid", today]]


def test_the_roster_honours_the_course_dates_and_status(roster, admin):
    first, second, third = roster
    lesson = course_id("demo-lesson")

    def numbers(query: str) -> list[str]:
        return [row[10] for row in csv_rows(admin.get(f"/admin/exports/roster.csv?{query}"))[1:]]

    assert numbers(f"course={lesson}") == [second.number, third.number]
    assert numbers("start=2024-04-05&end=2024-04-30") == [second.number]
    assert numbers("end=2024-04-02") == [first.number]  # the end day counts whole
    assert numbers("status=revoked") == [second.number]
    assert numbers(f"course={lesson}&status=valid") == [third.number]


def test_the_exports_page_links_carry_the_chosen_filter(synced, admin):
    lesson = course_id("demo-lesson")

    html = html_of(page(admin, f"/admin/exports?course={lesson}&start=2024-01-01"
                               "&end=2024-06-30&status=valid"))

    roster_link = re.search(r'href="(/admin/exports/roster\.csv[^"]*)"', html).group(1)
    evaluations_link = re.search(r'href="(/admin/exports/evaluations\.csv[^"]*)"',
                                 html).group(1)
    for link in (roster_link, evaluations_link):
        assert f"course={lesson}" in link
        assert "start=2024-01-01" in link and "end=2024-06-30" in link
    assert "status=valid" in roster_link and "status" not in evaluations_link


@pytest.fixture
def evaluated(synced):
    """An evaluation of each course, in May 2024; the lesson's comment looks like a formula."""
    lesson = evaluation_with("demo-lesson", 5, (5, 4), relevance=4, presenter=5,
                             recommend=True, comments="=1+1", when=at("2024-05-01"))
    modules = evaluation_with("demo-modules", 2, (3,), relevance=2, presenter=3,
                              recommend=False, comments="Fine,\n\"mostly\"",
                              when=at("2024-05-03"))
    return lesson, modules


def test_the_evaluations_export_has_one_row_per_evaluation_with_each_objective(evaluated,
                                                                               admin):
    lesson, modules = evaluated

    rows = csv_rows(admin.get("/admin/exports/evaluations.csv"))

    assert rows == [
        ["evaluation_id", "course", "course_version", "evaluated_date", "rating",
         "objective_1", "objective_2", "relevance", "presenter_knowledge", "recommend",
         "comments", "certified", "public_vote"],
        [str(lesson.id), "demo-lesson", "1", "2024-05-01", "5", "5", "4", "4", "5", "yes",
         "'=1+1", "no", "no"],
        [str(modules.id), "demo-modules", "1", "2024-05-03", "2", "3", "", "2", "3", "no",
         "Fine,\n\"mostly\"", "no", "no"]]


def test_the_evaluations_export_honours_the_course_and_dates(evaluated, admin):
    lesson, modules = evaluated

    one_course = csv_rows(admin.get(
        f"/admin/exports/evaluations.csv?course={course_id('demo-modules')}"))
    later = csv_rows(admin.get("/admin/exports/evaluations.csv?start=2024-05-02"))
    earlier = csv_rows(admin.get("/admin/exports/evaluations.csv?end=2024-05-01"))

    assert one_course[0] == ["evaluation_id", "course", "course_version", "evaluated_date",
                             "rating", "objective_1", "relevance", "presenter_knowledge",
                             "recommend", "comments", "certified", "public_vote"]
    assert [row[0] for row in one_course[1:]] == [str(modules.id)]
    assert [row[0] for row in later[1:]] == [str(modules.id)]
    assert [row[0] for row in earlier[1:]] == [str(lesson.id)]


# --- paging --------------------------------------------------------------------------------


def test_more_than_25_certificates_are_listed_a_page_at_a_time(synced, admin):
    attempt = attempt_with("demo-lesson", [True] * 6)
    start = datetime(2024, 6, 1, tzinfo=UTC)
    made = [certificate_row(attempt, full_name=f"Pat Page {n}", edition=n,
                            issued_at=start + timedelta(minutes=n)) for n in range(1, 28)]
    certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Someone Else")
    newest_first = [c.number for c in reversed(made)]

    first = page(admin, "/admin/certificates?q=Pat+Page")
    next_link = re.search(r'<a href="([^"]+)">Next page</a>', html_of(first))
    assert next_link, "no Next page link"
    assert "Previous page" not in text_of(first)
    second = page(admin, next_link.group(1).replace("&amp;", "&"))

    first_rows = body_rows(table_with(first, "Certificates, newest first"))
    second_rows = body_rows(table_with(second, "Certificates, newest first"))
    assert len(first_rows) == 25 and len(second_rows) == 2
    assert [r[0] for r in first_rows + second_rows] == newest_first
    assert "q=Pat+Page" in next_link.group(1) or "q=Pat%20Page" in next_link.group(1)
    assert "Next page" not in text_of(second)
    assert re.search(r'<a href="[^"]*page=1[^"]*">Previous page</a>', html_of(second))
    assert "Page 2" in text_of(second)


def test_a_page_beyond_the_last_is_empty_not_an_error(synced, admin):
    certificate_row(attempt_with("demo-lesson", [True] * 6))

    assert "No certificates match." in text_of(page(admin, "/admin/certificates?page=9"))
    assert page(admin, "/admin/certificates?page=-3").status_code == 200
    assert page(admin, "/admin/certificates?page=abc").status_code == 200


# --- recount -------------------------------------------------------------------------------


def report_texts(admin) -> dict[str, str]:
    version = version_of("demo-lesson").id
    addresses = ["/admin", "/admin/evaluations", "/admin/results",
                 f"/admin/results/versions/{version}", "/courses/demo-lesson"]
    return {address: text_of(page(admin, address)) for address in addresses}


def test_recount_rebuilds_the_totals_and_leaves_the_pages_as_they_were(rated, attempted, admin,
                                                                       runner):
    before = report_texts(admin)

    result = runner.invoke(args=["admin", "recount"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert report_texts(admin) == before
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:5]] == [
        "rating_totals", "rating_votes", "evaluation_tallies", "version_result_tallies",
        "item_result_tallies"]
    assert all(re.fullmatch(r"\w+: \d+ rows", line) for line in lines[:5])
    assert lines[5] == ("The ratings and results pages now match the stored evaluations and "
                        "attempts.")


def test_recount_repairs_totals_that_went_wrong(rated, attempted, admin, runner):
    before = report_texts(admin)
    db.session.execute(sa.delete(EvaluationTally).where(EvaluationTally.answer == 5))
    db.session.execute(sa.update(VersionResultTally).values(attempts=VersionResultTally.attempts
                                                            + 10))
    db.session.commit()
    assert report_texts(admin) != before

    result = runner.invoke(args=["admin", "recount"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert report_texts(admin) == before


# --- course versions -----------------------------------------------------------------------


def test_results_and_item_analysis_are_kept_per_course_version(synced, courses_dir, admin):
    first = version_of("demo-lesson")
    attempt_with("demo-lesson", [True] * 6)
    attempt_with("demo-lesson", [False] * 6)
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("statement: Self-compassion has three parts.",
                                             "statement: Self-compassion has three parts, "
                                             "as Neff describes it."))
    sync_courses(courses_dir)
    second = version_of("demo-lesson")
    attempt_with("demo-lesson", [True] * 6)

    rows = results_rows(page(admin, "/admin/results"))
    first_items = item_rows(page(admin, f"/admin/results/versions/{first.id}"))
    second_items = item_rows(page(admin, f"/admin/results/versions/{second.id}"))

    assert (first.number, second.number) == (1, 2)
    assert rows == [[LESSON, "Version 1 item analysis", "2", "1", "50%", "50.0%", "75%"],
                    [LESSON, "Version 2 item analysis", "1", "1", "100%", "100.0%", "75%"]]
    answer = first.items[0].answer
    assert first_items[0][1:5] == ["Self-compassion has three parts.", answer, "2", "50%"]
    assert second_items[0][1:5] == ["Self-compassion has three parts, as Neff describes it.",
                                    answer, "1", "100%"]


# --- addresses and filters no page should fail on --------------------------------------------


def test_the_latest_end_date_is_accepted(synced, admin):
    for address in ("/admin/comments", "/admin/certificates", "/admin/exports/roster.csv"):
        response = admin.get(f"{address}?end=9999-12-31")
        assert response.status_code in (200, 422), address


def test_an_id_too_large_for_the_database_is_not_found(synced, admin):
    for address in ("/admin/results/versions/99999999999999999999",
                    "/admin/reflections/99999999999999999999/delete"):
        assert admin.get(address).status_code == 404, address


