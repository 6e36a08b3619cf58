"""The admin overview at /admin: the period's figures, each linking to its list, and what
needs attention now."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ceengine.admin import overview as overview_module
from ceengine.courses.services import sponsor_today, sync_courses
from ceengine.extensions import db
from ceengine.outbox.models import FAILED, OutboxMessage
from tests.support.certificate_steps import submit_details, take_quiz
from tests.support.factories import course_id, reflection_with
from tests.support.feedback_steps import evaluate
from tests.support.html import html_of, table_with, text_of
from tests.support.reports import LESSON, body_rows, page

BY_MONTH = "By month: completions, certificates issued and revenue"


def figures(admin, address: str = "/admin") -> dict[str, tuple[str, str]]:
    """Each figure on the overview: its words (after the number) -> (number, link)."""
    html = html_of(page(admin, address))
    found = {}
    for href, number, words in re.findall(
        r'<li><a href="([^"]+)"><strong class="figure">(.*?)</strong>(.*?)</a></li>', html, re.S
    ):
        found[text_of(words).strip()] = (text_of(number), href.replace("&amp;", "&"))
    return found


def figure(admin, starts: str, address: str = "/admin") -> str:
    """The number of the figure whose words start with `starts`."""
    for words, (number, _) in figures(admin, address).items():
        if words.startswith(starts):
            return number
    raise AssertionError(f"no figure {starts!r}: {list(figures(admin, address))}")


def certify(client, slug: str = "demo-lesson", passing: bool = True) -> str:
    result = take_quiz(client, slug, passing=passing)
    if passing:
        response = submit_details(client, result, full_name="Ana Núñez", email="ana@example.org")
        assert response.status_code == 303, text_of(response)
    return result


def test_the_console_opens_on_the_overview_and_ratings_have_their_own_page(admin):
    response = page(admin, "/admin")
    assert "<h1>Overview</h1>" in html_of(response)
    nav = re.search(r'<nav aria-label="Admin".*?</nav>', html_of(response), re.S).group(0)
    assert '<a href="/admin" aria-current="page">Overview</a>' in nav
    assert '<a href="/admin/ratings">Ratings</a>' in nav
    assert "<h1>Ratings</h1>" in html_of(page(admin, "/admin/ratings"))


def test_the_figures_follow_what_learners_do(synced, admin):
    before = figures(admin)
    assert before["completions (quizzes passed)"][0] == "0"
    assert figure(admin, "certificate") == "0"
    assert figure(admin, "pass rate") == "—"

    learner = synced.test_client()
    passed = certify(learner)
    certify(synced.test_client(), passing=False)
    evaluate(learner, passed, rating=1, objectives=(2, 2), comments="")

    assert figure(admin, "completion") == "1"
    assert figure(admin, "pass rate") == "50%"
    assert figure(admin, "certificate") == "1"
    assert figure(admin, "low rating") == "1"
    rows = body_rows(table_with(page(admin, "/admin"), "Per course"))
    assert [r[:6] for r in rows] == [[LESSON, "2", "1", "50%", "1", "0"]]
    months = body_rows(table_with(page(admin, "/admin"), BY_MONTH))
    assert [row[1:] for row in months] == [["1", "1", "0"]]


def test_every_figure_opens_its_list_with_the_same_filter(synced, admin):
    learner = synced.test_client()
    evaluate(learner, certify(learner), rating=2, objectives=(2, 2), comments="")
    lesson = course_id("demo-lesson")
    today = sponsor_today().isoformat()
    address = f"/admin?course={lesson}&start={today}&end={today}"

    links = {words: href for words, (_, href) in figures(admin, address).items()}

    assert links["low rating (1-2 stars)"] == (
        f"/admin/comments?status=low&course={lesson}&start={today}&end={today}"
    )
    for words, href in links.items():
        if href.startswith("#"):
            continue
        assert admin.get(href).status_code == 200, (words, href)
    low = page(admin, links["low rating (1-2 stars)"])
    assert "2 stars" in text_of(low) and "No comment." in text_of(low)
    listed = text_of(page(admin, links["certificate issued"]))
    assert "Ana Núñez" in listed


def test_dates_narrow_the_figures_and_a_bad_date_is_explained(synced, admin):
    certify(synced.test_client())
    tomorrow = (sponsor_today() + timedelta(days=1)).isoformat()

    assert figure(admin, "certificate", f"/admin?start={tomorrow}") == "0"
    assert figure(admin, "certificate", f"/admin?end={tomorrow}") == "1"
    response = page(admin, "/admin?start=garbage")
    assert "Not a valid date value." in text_of(response)
    assert figure(admin, "certificate", "/admin?start=garbage") == "1"  # the dates left out


def test_what_needs_attention_is_counted_and_capped(synced, admin, monkeypatch):
    for n in range(3):
        reflection_with("demo-lesson", f"Learner {n}", "A thought worth keeping.")
    assert figure(admin, "reflection") == "3"
    db.session.add(
        OutboxMessage(
            key="k1",
            kind="certificate",
            recipient="a@example.org",
            recipient_key="a@example.org",
            subject="s",
            body="b",
            status=FAILED,
        )
    )
    db.session.commit()
    assert figure(admin, "email") == "1"
    assert figure(admin, "payment") == "0"

    monkeypatch.setattr(overview_module, "CAP", 2)
    assert figure(admin, "reflection") == "2 or more"


def test_approvals_ending_within_60_days_are_listed(synced, admin, courses_dir):
    today = sponsor_today()
    (courses_dir / "sponsor.yaml").write_text(
        "approvals:\n"
        "  - id: board-a\n"
        "    body: other\n"
        "    body_name: Board Ending Soon\n"
        '    number: "77"\n'
        f"    approved_from: {(today - timedelta(days=300)).isoformat()}\n"
        f"    approved_until: {(today + timedelta(days=20)).isoformat()}\n"
        "  - id: board-b\n"
        "    body: other\n"
        "    body_name: Board Far Off\n"
        f"    approved_from: {(today - timedelta(days=300)).isoformat()}\n"
        f"    approved_until: {(today + timedelta(days=400)).isoformat()}\n",
        encoding="utf-8",
    )
    sync_courses(courses_dir)

    assert figure(admin, "approval") == "1"
    text = text_of(page(admin, "/admin"))
    assert "Board Ending Soon, provider #77: ends" in text
    assert "Board Far Off" not in text


@pytest.mark.parametrize("address", ["/admin", "/admin/ratings"])
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(synced, address):
    response = synced.test_client().get(address)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_recount_leaves_the_overview_as_it_was(synced, admin, runner):
    learner = synced.test_client()
    evaluate(learner, certify(learner), rating=1, objectives=(1, 1), comments="")
    before = text_of(page(admin, "/admin"))
    assert runner.invoke(args=["admin", "recount"]).exit_code == 0
    db.session.expire_all()
    assert text_of(page(admin, "/admin")) == before
    assert db.session.scalar(sa.text("SELECT sum(issued) FROM certificate_tallies")) == 1


def per_course_links(admin, address: str) -> dict[str, dict[str, str]]:
    """Per course row of the overview's table: column heading -> the cell's link."""
    html = html_of(page(admin, address))
    table = re.search(r"<caption>Per course</caption>.*?</table>", html, re.S).group(0)
    headings = [text_of(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table)]
    links = {}
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S):
        course = text_of(re.search(r'<th scope="row">(.*?)</th>', row).group(1))
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        links[course] = {
            heading: found.group(1).replace("&amp;", "&")
            for heading, cell in zip(headings[1:], cells, strict=True)
            if (found := re.search(r'href="([^"]+)"', cell))
        }
    return links


def test_each_course_s_figures_open_their_lists_for_that_course(synced, admin):
    certify(synced.test_client())
    lesson = course_id("demo-lesson")
    today = sponsor_today().isoformat()

    links = per_course_links(admin, f"/admin?start={today}")[LESSON]

    period = f"course={lesson}&start={today}"
    assert links == {
        "Completions": f"/admin/results?{period}",
        "Certificates issued": f"/admin/certificates?{period}",
        "Revenue": f"/admin/orders?{period}",
        "Refunded": f"/admin/orders?{period}&status=refunded",
    }
    for href in links.values():
        assert admin.get(href).status_code == 200, href
    assert "Ana Núñez" in text_of(page(admin, links["Certificates issued"]))


def test_completions_and_certificates_by_month_are_charted_with_empty_months(synced, admin):
    certify(synced.test_client())
    certify(synced.test_client())
    today = sponsor_today()
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)  # two months back
    address = f"/admin?start={start.isoformat()}&end={today.isoformat()}"
    html = html_of(page(admin, address))

    months = body_rows(table_with(html, BY_MONTH))
    assert [row[0] for row in months] == [
        start.strftime("%Y-%m"),
        (start + timedelta(days=32)).strftime("%Y-%m"),
        today.strftime("%Y-%m"),
    ]
    assert [row[1:] for row in months] == [["0", "0", "0"], ["0", "0", "0"], ["2", "2", "0"]]
    charts = dict(
        re.findall(r'<figcaption>(.*?)</figcaption>\s*(<svg class="chart".*?</svg>)', html, re.S)
    )
    assert list(charts) == ["Completions by month", "Certificates issued by month"]
    for chart in charts.values():
        assert len(re.findall(r'class="chart-slot"', chart)) == 2  # the two empty months
        assert re.findall(r'class="chart-value">([^<]*)</text>', chart) == ["2"]
