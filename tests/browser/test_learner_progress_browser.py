"""In Chromium, at phone and desktop widths: a learner works through a module course, comes
back to ticks and "Continue where you left off", and after a pass is greeted with the way to
the certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support.pages import ARTIFACTS, assert_accessible, screenshot
from tests.browser.support.quiz_steps import answer, confirm_email_in_browser

pytestmark = pytest.mark.browser

SLUG = "demo-modules"


def first_screen(page, name: str) -> None:
    """Save what the learner sees first (the jump links stick to the window's bottom edge,
    so a full-page picture would show them in mid-page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def modules_list(page):
    """The module list the learner sees beside (desktop) or above (phone) the lesson."""
    nav = page.get_by_role("navigation", name="Course modules")
    if page.viewport_name == "phone":
        return nav.locator("details.module-menu ol")
    return nav.locator(".module-menu-wide ol")


def test_a_learner_finds_their_place_in_a_module_course(live_server, page):
    base, size = live_server.url, page.viewport_name
    page.goto(f"{base}/courses/{SLUG}")
    expect(page.get_by_role("heading", name="Welcome back")).to_have_count(0)
    page.get_by_role("link", name="Start the course").click()
    expect(page.get_by_text("Module 1 of 3", exact=True).first).to_be_visible()

    # A phone shows the list folded (a native <details>); a desktop shows it beside the text.
    listed = modules_list(page)
    if size == "phone":
        expect(listed).to_be_hidden()
        page.get_by_text("All 3 modules").click()
    expect(listed).to_be_visible()

    page.get_by_role("button", name="Next: Settling the Mind").click()
    expect(page.get_by_text("Module 2 of 3", exact=True).first).to_be_visible()
    expect(page.get_by_text("1 of 3 modules done · 2 modules left before the quiz")).to_be_visible()
    if size == "phone":
        expect(modules_list(page)).to_be_hidden()
        screenshot(page, f"progress-module-collapsed-{size}")
        page.get_by_text("All 3 modules").click()
    done = modules_list(page).locator("li", has_text="Getting Started")
    expect(done).to_contain_text("✓")
    expect(done).to_contain_text("(done)")
    assert_accessible(page)
    screenshot(page, f"progress-module-ticks-{size}")

    # Back on the course page: ticks, what is left, and where to continue.
    page.goto(f"{base}/courses/{SLUG}")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    continue_link = page.get_by_role("link", name="Continue where you left off")
    expect(continue_link).to_be_visible()
    expect(page.get_by_text("Module 2 of 3: Settling the Mind")).to_be_visible()
    course_list = page.locator("ol.module-list")
    expect(course_list.locator("li", has_text="Getting Started")).to_contain_text("✓")
    expect(course_list.locator("li", has_text="Settling the Mind")).to_contain_text("opened")
    assert_accessible(page)
    first_screen(page, f"progress-course-continue-{size}")

    # The page's contents and its jump links work without script.
    page.get_by_role("navigation", name="Jump within this page").get_by_role(
        "link", name="Go to the quiz"
    ).click()
    assert page.url.endswith("#quiz")
    expect(page.get_by_role("heading", name="Comprehension quiz")).to_be_in_viewport()
    page.get_by_role("link", name="Back to top").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_in_viewport()
    page.get_by_role("link", name="Answer the quiz questions").click()
    expect(page.get_by_role("heading", name="Comprehension quiz")).to_be_in_viewport()

    page.goto(f"{base}/courses/{SLUG}")
    continue_link.click()
    assert page.url.endswith(f"/courses/{SLUG}/modules/settling-the-mind")
    page.get_by_role("button", name="Next: Acting With Compassion").click()
    page.get_by_role("button", name="Next: the quiz").click()
    assert page.url.endswith(f"/courses/{SLUG}/quiz")

    # Pass, then come back: the top of the course page leads to the certificate.
    confirm_email_in_browser(page, live_server.app, base, SLUG)
    answer(page, SLUG)
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    page.goto(f"{base}/courses/{SLUG}")
    welcome = page.locator("section.welcome-back")
    expect(welcome).to_contain_text("You passed")
    expect(welcome).to_contain_text("Your certificate is not issued yet.")
    expect(welcome.get_by_role("link", name="Get my certificate")).to_be_visible()
    expect(page.locator("ol.module-list li .tick")).to_have_count(3)
    assert_accessible(page)
    first_screen(page, f"progress-course-passed-{size}")
    welcome.get_by_role("link", name="Get my certificate").click()
    assert re.search(r"/attempts/[^/]+/certificate$", page.url)
