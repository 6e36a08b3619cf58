"""How the pages look at 375 and 1280 px: the quiz as cards with a count of answers, the star
rating, the catalog, the phone header on one line, a checked certificate file, and print."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support.admin_steps import issue_certificate, pass_quiz, runs_axe
from tests.browser.support.pages import ARTIFACTS, VIEWPORTS, assert_accessible, screenshot
from tests.browser.support.quiz_steps import COURSES, answer

pytestmark = pytest.mark.browser

SLUG = "self-compassion-for-clinicians"


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def check_and_shoot(page, server, name: str) -> None:
    """Axe (on SQLite: the HTML does not depend on the database) and a screenshot."""
    if runs_axe(server):
        assert_accessible(page)
    screenshot(page, f"{name}-{page.viewport_name}")


def test_quiz_items_are_cards_and_count_the_answers(live_server, page):
    page.goto(f"{live_server.url}/courses/{SLUG}/quiz")
    items = COURSES[SLUG].items
    progress = page.locator(".quiz-progress [aria-live=polite]")  # announced as it changes
    expect(progress).to_have_text(f"0 of {len(items)} answered")

    first = page.locator("fieldset.quiz-item").first
    number, statement = first.locator(".item-number"), first.locator(".item-statement")
    expect(number).to_have_text("1")
    # The number and the statement sit inside the box, the statement below its top border.
    assert inside(box(number), box(first)) and inside(box(statement), box(first))
    assert box(statement)["y"] > box(first)["y"] + 4
    # Every choice is a large target: the whole row, at least 44 px tall, picks it.
    choice = first.locator(".choice").first
    assert box(choice)["height"] >= 44 and box(choice)["width"] >= box(first)["width"] * 0.8
    choice.click(position={"x": box(choice)["width"] - 8, "y": 8})
    expect(first.locator("input").first).to_be_checked()
    # The number is not read as part of the question.
    expect(page.get_by_role("group", name=items[0]["statement"], exact=True)).to_be_visible()

    answer(page, SLUG, skip=len(items) - 3)
    expect(progress).to_have_text(f"4 of {len(items)} answered")
    check_and_shoot(page, live_server, "polish-quiz")
    answer(page, SLUG)
    expect(progress).to_have_text(f"{len(items)} of {len(items)} answered")
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()


def test_the_quiz_works_without_script(live_server, browser):
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/courses/{SLUG}/quiz")
    expect(page.locator(".quiz-progress")).to_be_hidden()  # no count that never moves
    answer(page, SLUG)
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    context.close()


def test_the_star_rating_reads_and_works_like_a_rating(live_server, page):
    pass_quiz(page, live_server.url, SLUG)
    page.get_by_role("link", name="Get my certificate").click()
    page.wait_for_url("**/evaluation")
    rating = page.get_by_role("group", name="Overall, how would you rate this course?")
    stars = rating.get_by_role("radio")
    expect(stars).to_have_count(5)
    tiles = [box(rating.locator(".star-choice").nth(n)) for n in range(5)]
    assert len({round(t["y"]) for t in tiles}) == 1, "the five stars are not on one line"
    assert all(t["height"] >= 44 for t in tiles)
    expect(rating.get_by_role("radio", name="5 stars: Excellent", exact=True)).to_be_visible()

    rating.get_by_role("radio", name="1 star: Poor", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # arrow keys move along the native radios
    expect(rating.get_by_role("radio", name="4 stars: Very good", exact=True)).to_be_checked()
    filled = rating.locator(".star").evaluate_all(
        "els => els.map(e => getComputedStyle(e, '::before').content)"
    )
    assert filled[:4] == ['"★" / ""'] * 4 and filled[4] != filled[0], filled
    check_and_shoot(page, live_server, "polish-evaluation")


def test_the_catalog_shows_fees_and_the_header_fits_one_line(live_server, page):
    page.goto(live_server.url)
    card = page.locator(".course-card").filter(has_text="Self-Compassion for Clinicians")
    expect(card.locator("dl.facts")).to_contain_text("Certificate")
    fee = card.locator("dl.facts > div").filter(has=page.locator("dt", has_text="Certificate"))
    expect(fee.locator("dd")).to_have_text("Free")
    header = box(page.locator(".site-header .wrap"))
    links = [box(page.locator(".site-name"))] + [
        box(link) for link in page.get_by_role("navigation", name="Site").get_by_role("link").all()
    ]
    tops = {round(link["y"] + link["height"] / 2) for link in links}
    assert max(tops) - min(tops) <= 4, f"the header wraps at {page.viewport_name}: {links}"
    assert header["height"] <= 64
    expect(page.get_by_role("link", name="Verify a certificate")).to_be_visible()
    expect(
        page.get_by_role("link", name=page.locator(".site-name-text").inner_text())
    ).to_be_visible()
    check_and_shoot(page, live_server, "polish-catalog")


def test_the_course_page_header_and_its_print(live_server, page):
    page.goto(f"{live_server.url}/courses/{SLUG}")
    screenshot_top(page, f"polish-course-header-{page.viewport_name}")
    # A readable measure: a line of prose holds about 70 characters on a desktop.
    prose = page.locator("section[aria-labelledby=description-heading] p").first
    characters = prose.evaluate(
        """e => { const probe = document.createElement("span"); probe.textContent = "0";
                  e.append(probe); const zero = probe.getBoundingClientRect().width;
                  probe.remove(); return e.getBoundingClientRect().width / zero; }"""
    )
    assert characters <= 72, f"a line of prose is {characters:.0f} characters wide"

    page.emulate_media(media="print")
    expect(page.locator("form.quiz-form")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Site")).to_be_hidden()
    expect(page.locator("article.lesson")).to_be_visible()
    expect(page.get_by_role("heading", name="The lesson")).to_be_visible()
    if page.viewport_name == "desktop":
        pdf = ARTIFACTS / "polish-course-print.pdf"
        page.pdf(path=str(pdf), format="Letter")
        assert pdf.stat().st_size > 10_000
        screenshot_top(page, "polish-course-print")


def screenshot_top(page, name: str) -> Path:
    """The first screen of a long page (the whole course page is 15,000 px tall)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_a_checked_file_says_who_signed_and_when_and_prints(live_server, browser, tmp_path):
    base = live_server.url
    page = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    slug = "demo-lesson"  # no evaluation stands before its certificate
    page.goto(f"{base}/courses/{slug}/quiz")
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").click()
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Get my certificate")).to_be_hidden()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    page.pdf(path=str(ARTIFACTS / "polish-result-print.pdf"), format="Letter")
    page.screenshot(path=str(ARTIFACTS / "polish-result-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Get my certificate").click()
    issue_certificate(page, "Ana María Núñez", "ana@example.org")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download certificate (PDF)")).to_be_hidden()
    expect(page.get_by_text("Ana María Núñez")).to_be_visible()
    page.pdf(path=str(ARTIFACTS / "polish-certificate-page-print.pdf"), format="Letter")
    page.screenshot(path=str(ARTIFACTS / "polish-certificate-page-print.png"), full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    path = tmp_path / "certificate.pdf"
    download_info.value.save_as(path)

    page.goto(f"{base}/verify")
    page.get_by_label("Certificate file (PDF or Open Badge JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()
    sponsor = live_server.app.config["SPONSOR_NAME"]
    authentic = page.locator("p.status-valid").filter(has_text="Authentic")
    expect(authentic).to_contain_text("Authentic and unchanged: this file was signed by ")
    expect(authentic).to_contain_text(" on ")
    details = page.locator("details.signature-details")
    expect(details.get_by_text("Common Name", exact=False)).to_be_hidden()  # folded away
    assert sponsor  # the sponsor's name is configured
    for size in VIEWPORTS:
        page.set_viewport_size(VIEWPORTS[size])
        page.viewport_name = size
        check_and_shoot(page, live_server, "polish-verify-file")
    details.locator("summary").click()
    expect(details.get_by_text("Common Name", exact=False)).to_be_visible()
    screenshot(page, "polish-verify-file-details")
    page.context.close()
