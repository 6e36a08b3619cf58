"""Every public page in Chromium: accessible, usable on a phone, navigable by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ceengine.courses.format import read_courses
from tests.browser.support.pages import assert_accessible, screenshot
from tests.support.app import PROJECT_COURSES

pytestmark = pytest.mark.browser

SPECS, _ = read_courses(PROJECT_COURSES)
PAGES = (
    ["/"]
    + [
        url
        for spec in SPECS
        for url in [f"/courses/{spec.slug}"]
        + (
            []
            if spec.content["single_page"]
            else [f"/courses/{spec.slug}/modules/{m['slug']}" for m in spec.content["modules"]]
        )
    ]
    + ["/courses/no-such-course"]
)


def test_every_page_is_accessible_and_fits_the_screen(live_server, page):
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == (404 if "no-such" in path else 200), path
        assert_accessible(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on {page.viewport_name}"
    page.goto(live_server.url + "/courses/self-compassion-for-clinicians")
    screenshot(page, f"course-page-{page.viewport_name}")


def test_a_clinician_walks_a_multi_module_course(live_server, desktop_page):
    page = desktop_page
    page.goto(live_server.url + "/")
    page.get_by_role(
        "link", name="Compassion Cultivation Training for Healthcare Professionals"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Compassion Cultivation")
    page.get_by_role("link", name="Start the course").click()
    total = len(
        next(s for s in SPECS if s.slug == "compassion-cultivation-training").content["modules"]
    )
    for position in range(1, total + 1):
        expect(page.get_by_text(f"Module {position} of {total}", exact=True).first).to_be_visible()
        current = page.get_by_role("navigation", name="Course modules").locator(
            ".module-menu-wide [aria-current=page]"  # the list a desktop shows
        )
        assert current.count() == 1
        if position < total:
            page.get_by_role("button", name="Next:").click()
    screenshot(page, "module-page-desktop")
    page.get_by_role("button", name="Next: the quiz").click()
    assert page.url.endswith("/courses/compassion-cultivation-training/quiz")
    expect(page.get_by_role("button", name="Score My Quiz")).to_be_visible()


def test_keyboard_users_can_skip_to_the_content(live_server, desktop_page):
    page = desktop_page
    page.goto(live_server.url + "/courses/self-compassion-for-clinicians")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_guided_audio_plays_and_its_transcript_opens(live_server, desktop_page):
    page = desktop_page
    page.goto(live_server.url + "/courses/self-compassion-for-clinicians")
    audio = page.locator("audio").first
    seconds = audio.evaluate("""a => new Promise((resolve, reject) => {
        a.onloadedmetadata = () => resolve(a.duration); a.onerror = () => reject(a.error.code);
        a.preload = 'metadata'; a.load(); })""")
    assert seconds > 60
    page.get_by_text("Transcript of").first.click()
    transcript = page.locator("details.transcript").first
    assert transcript.evaluate("d => d.open")
    assert len(transcript.inner_text()) > 500


def test_handout_downloads(live_server, desktop_page):
    page = desktop_page
    page.goto(live_server.url + "/courses/self-compassion-for-clinicians")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith((".txt", ".pdf"))
    assert download.path().stat().st_size > 200
