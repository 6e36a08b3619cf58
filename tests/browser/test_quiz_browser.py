"""Score My Quiz in Chromium: pass, fail and retake, blank answers, running out of attempts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ceengine.courses.format import read_courses
from tests.browser.support.pages import assert_accessible, screenshot
from tests.browser.support.quiz_steps import COURSES, answer, confirm_email_in_browser
from tests.support.app import PROJECT_COURSES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", [s.slug for s in read_courses(PROJECT_COURSES)[0]])
def test_every_course_can_be_passed(live_server, desktop_page, slug):
    page = desktop_page
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").click()
    total = len(COURSES[slug].items)
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{total} of {total} correct")).to_be_visible()
    assert "/attempts/" in page.url


def test_fail_see_feedback_retake_and_pass(live_server, desktop_page):
    page, slug = desktop_page, "self-compassion-for-clinicians"
    page.goto(f"{live_server.url}/courses/{slug}")
    answer(page, slug, wrong=3)
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
    expect(page.get_by_text("5 of 8 correct")).to_be_visible()
    expect(page.get_by_text("Pass mark: 75%")).to_be_visible()
    # Before a pass: the sections to review, never which answers were wrong.
    expect(page.get_by_role("heading", name="Sections to review")).to_be_visible()
    assert page.get_by_text("Correct answer:").count() == 0
    assert page.get_by_text("Incorrect.").count() == 0
    assert_accessible(page)
    screenshot(page, "result-not-passed")
    page.get_by_role("link", name="Retake the quiz").click()
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    page.get_by_role("link", name="Back to the course").click()
    # expect() waits for the course page; a bare count() could read the result page still.
    expect(page).to_have_url(re.compile(rf"/courses/{slug}$"))
    attempts = page.get_by_role("table")
    expect(attempts.get_by_text("Not passed")).to_have_count(1)
    expect(attempts.get_by_text("Passed", exact=True)).to_have_count(1)


def test_the_feedback_links_to_where_it_is_taught(live_server, desktop_page):
    page, slug = desktop_page, "compassion-cultivation-training"
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    answer(page, slug, wrong=1)
    page.get_by_role("button", name="Score My Quiz").click()
    wrong = page.locator(".feedback li.wrong").first
    link = wrong.get_by_role("link")
    section = COURSES[slug].items[0]["section"]
    assert link.get_attribute("href").endswith(f"#{section}")
    link.click()
    expect(page.locator(f"#{section}")).to_be_visible()


def test_a_blank_answer_is_named_and_the_others_are_kept(live_server, page):
    slug = "self-compassion-for-clinicians"
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    answer(page, slug, skip=1)
    page.get_by_role("button", name="Score My Quiz").click()
    alert = page.get_by_role("alert")
    assert "Question 1 has no answer yet." in alert.inner_text()
    assert_accessible(page)
    screenshot(page, f"quiz-unanswered-{page.viewport_name}")
    checked = page.locator("input[type=radio]:checked").count()
    assert checked == len(COURSES[slug].items) - 1
    alert.get_by_role("link", name="Question 1 has no answer yet.").click()
    first = COURSES[slug].items[0]
    page.get_by_role("group", name=first["statement"]).get_by_label(first["answer"]).check()
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()


def test_running_out_of_attempts(live_server, desktop_page):
    page, slug = desktop_page, "demo-modules"
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    expect(page.get_by_role("heading", name="Confirm your email to take this quiz")).to_be_visible()
    assert_accessible(page)
    confirm_email_in_browser(page, live_server.app, live_server.url, slug)
    for _ in range(2):
        page.goto(f"{live_server.url}/courses/{slug}/quiz")
        answer(page, slug, wrong=2)
        page.get_by_role("button", name="Score My Quiz").click()
        expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
    expect(page.get_by_text("You have used all 2 attempts this course allows.")).to_be_visible()
    assert page.get_by_role("link", name="Retake the quiz").count() == 0
    expect(page.get_by_text("Correct answer:").first).to_be_visible()  # no attempt left: explained
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    assert page.get_by_role("button", name="Score My Quiz").count() == 0
    assert_accessible(page)


def test_a_double_click_scores_once(live_server, desktop_page):
    page, slug = desktop_page, "cultivating-compassion-barriers-and-practices"
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").dblclick()
    # The second click may abort the first navigation: wait for where the page ends up.
    expect(page).to_have_url(re.compile(r"/attempts/"), timeout=30_000)
    page.goto(f"{live_server.url}/courses/{slug}/quiz")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)
