"""The course evaluation with its star rating, and reflections, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support.admin_steps import (
    ensure_admin,
    evaluate,
    issue_certificate,
    new_page,
    pass_quiz,
    rating_percent,
    runs_axe,
    sign_in,
)
from tests.browser.support.pages import ARTIFACTS, VIEWPORTS, assert_accessible, screenshot
from tests.browser.support.server import serve_courses

pytestmark = pytest.mark.browser

SLUG = "self-compassion-for-clinicians"
TITLE = "Self-Compassion for Clinicians"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """A live server of this file's own, so the vote counts start from nothing."""
    with serve_courses(request, tmp_path_factory, "feedback_browser") as server:
        yield server


def rating_line(page) -> str:
    """`Rating of this course out of N votes: X%`, or "" when the page has none."""
    lines = page.locator("p.rating")
    return lines.inner_text().strip() if lines.count() else ""


def test_evaluate_then_certificate_and_the_rating_line(server, browser):
    """The rating line counts a learner once their certificate is issued."""
    base = server.url
    first = new_page(browser)
    first.goto(f"{base}/courses/{SLUG}")
    assert first.locator("p.rating").count() == 0, "a rating line before the first vote"

    pass_quiz(first, base, SLUG)
    first.get_by_role("link", name="Get my certificate").click()
    first.wait_for_url("**/evaluation")  # the evaluation comes before the certificate
    expect(first.get_by_role("heading", level=1)).to_have_text("Course evaluation")
    if runs_axe(server):
        for size in VIEWPORTS:
            first.set_viewport_size(VIEWPORTS[size])
            assert_accessible(first)
            screenshot(first, f"feedback-evaluation-{size}")

    first.get_by_role("button", name="Submit my evaluation").click()  # nothing chosen yet
    alert = first.get_by_role("alert")
    expect(alert.get_by_text("Choose a star rating from 1 to 5.")).to_be_visible()
    expect(alert.get_by_text("Say whether you would recommend it.")).to_be_visible()
    if runs_axe(server):
        assert_accessible(first)

    evaluate(first, SLUG, stars=4, comments="Clear and practical.")
    first.wait_for_url("**/certificate")
    expect(first.get_by_text("Thank you: your evaluation has been saved.")).to_be_visible()
    expect(first.get_by_label("Full name")).to_be_visible()  # the certificate details form

    first.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TITLE).click()
    first.wait_for_url(f"**/courses/{SLUG}")
    assert rating_line(first) == "", "an evaluation without a certificate is not a vote"
    first.go_back()
    first.wait_for_url("**/certificate")
    issue_certificate(first, "Ana Núñez", "ana@example.org")
    first.goto(f"{base}/courses/{SLUG}")
    assert rating_line(first) == (f"Rating of this course out of 1 vote: {rating_percent([4])}%")

    second = new_page(browser, "phone")  # another learner, on a phone
    pass_quiz(second, base, SLUG)
    second.get_by_role("link", name="Get my certificate").click()
    evaluate(
        second,
        SLUG,
        stars=1,
        met="Slightly",
        relevance="Slightly relevant",
        knowledge="Fair",
        recommend="No",
    )
    second.wait_for_url("**/certificate")
    issue_certificate(second, "Ben Okafor", "ben@example.org")
    first.reload()
    expected = f"Rating of this course out of 2 votes: {rating_percent([4, 1])}%"
    assert expected == "Rating of this course out of 2 votes: 50%"
    assert rating_line(first) == expected
    first.goto(f"{base}/")  # the catalog shows the same line
    expect(
        first.get_by_role("listitem").filter(has_text=TITLE).get_by_text(expected)
    ).to_be_visible()
    first.context.close()
    second.context.close()


def test_a_reflection_waits_for_a_moderator_then_shows_as_plain_text(server, browser):
    base = server.url
    ensure_admin(server.app)
    learner = new_page(browser)
    learner.goto(f"{base}/courses/{SLUG}")
    section = learner.locator("section#reflections")
    expect(section.get_by_role("heading", name="Reflections")).to_be_visible()
    body = "Naming the <b>bold</b> https://example.org inner critic helped me."
    section.get_by_label("Your reflection").fill(body)
    section.get_by_label("Your name as it should appear").fill("Priya R.")
    section.get_by_role("button", name="Share my reflection").click()
    learner.wait_for_url("**#share-heading")
    expect(
        learner.get_by_role("status").get_by_text(
            "It will appear once a moderator has approved it."
        )
    ).to_be_visible()
    assert section.get_by_text("Priya R.").count() == 0
    assert section.get_by_text("inner critic").count() == 0
    if runs_axe(server):
        assert_accessible(learner)

    admin = new_page(browser)
    sign_in(admin, base, "/admin/reflections")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Reflections")
    waiting = admin.locator("li.reflection").filter(has_text="Priya R.")
    expect(waiting.get_by_text("Pending")).to_be_visible()
    expect(waiting.get_by_text(body)).to_be_visible()  # the moderator sees the text as typed
    waiting.get_by_role("button", name="Approve").click()
    expect(admin.get_by_text("The reflection by Priya R. is now approved.")).to_be_visible()

    learner.reload()
    shown = section.locator("li.reflection").filter(has_text="Priya R.")
    assert shown.locator(".reflection-body").inner_text() == body
    assert shown.locator("b").count() == 0
    assert shown.get_by_role("link").count() == 0
    assert learner.get_by_role("link", name="https://example.org").count() == 0
    if runs_axe(server):
        assert_accessible(learner)
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / "feedback-course-reflections-desktop.png"))

    # A moderator can take it down again: approved reflections are one filter away.
    admin.get_by_label("Status").select_option(label="Approved")
    admin.get_by_role("button", name="Show").click()
    admin.wait_for_url("**status=approved**")
    approved = admin.locator("li.reflection").filter(has_text="Priya R.")
    approved.get_by_role("button", name="Hide").click()
    expect(admin.get_by_text("The reflection by Priya R. is now hidden.")).to_be_visible()
    learner.reload()
    assert section.get_by_text("Priya R.").count() == 0
    learner.context.close()
    admin.context.close()


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)  # a layout bug: one database
def test_the_reflection_confirmation_is_in_view(server, browser):
    learner = new_page(browser, "phone")
    learner.goto(f"{server.url}/courses/{SLUG}")
    section = learner.locator("section#reflections")
    section.get_by_label("Your reflection").fill("Slowing down before a session helps.")
    section.get_by_label("Your name as it should appear").fill("J.")
    section.get_by_role("button", name="Share my reflection").click()
    learner.wait_for_url("**#share-heading")
    try:
        expect(learner.get_by_role("status")).to_be_in_viewport(timeout=2000)
    finally:
        learner.context.close()
