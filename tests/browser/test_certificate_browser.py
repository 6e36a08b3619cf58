"""From a passed quiz to a signed PDF and its verification page, in Chromium."""

from __future__ import annotations

import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ceengine.certificates.signing import check_signature
from ceengine.certificates.signing_key import signing_identity
from ceengine.certificates.tokens import sign_in_token
from ceengine.courses.format import read_courses
from ceengine.text import email_key
from tests.browser.support.pages import ARTIFACTS, VIEWPORTS, assert_accessible, screenshot
from tests.browser.support.quiz_steps import answer
from tests.support.app import PROJECT_COURSES

pytestmark = pytest.mark.browser

SLUGS = [spec.slug for spec in read_courses(PROJECT_COURSES)[0]]


def signature_problem(app, pdf: bytes) -> str | None:
    """pyHanko's verdict on the PDF. Run in a thread: Playwright's event loop owns this one."""

    def check() -> str | None:
        with app.app_context():
            return check_signature(pdf, signing_identity()).problem

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(check).result()


def evaluate_course(page) -> None:
    """Fill in the course evaluation the real courses ask for before the certificate."""
    for group in page.locator("fieldset.scale").all():
        group.get_by_role("radio").last.check()  # the top of each scale ("No" for recommend)
    page.get_by_role("radio", name="4 stars: Very good").check()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Submit my evaluation").click()


def pass_and_open_details(page, base: str, slug: str) -> None:
    """Pass the course's quiz, follow Get my certificate, and evaluate the course."""
    page.goto(f"{base}/courses/{slug}/quiz")
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").click()
    page.get_by_role("link", name="Get my certificate").click()
    page.wait_for_load_state()  # the click returns once the next page starts to arrive
    if page.get_by_role("heading", name="Course evaluation").count():
        evaluate_course(page)


def fill_details(page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("I completed this course myself").check()


@pytest.mark.parametrize("slug", SLUGS)
def test_pass_issue_download_and_verify(live_server, desktop_page, slug, tmp_path):
    page, base = desktop_page, live_server.url
    pass_and_open_details(page, base, slug)
    fill_details(page, "Ana María Núñez", "ana@example.org")
    page.get_by_label("License type").fill("LCSW")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".certificate-preview")
    expect(preview.get_by_text("Ana María Núñez")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"certificate-details-{slug}")

    page.get_by_role("button", name="Issue certificate").click()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    pdf = path.read_bytes()
    assert signature_problem(live_server.app, pdf) is None
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Ana María Núñez" in text and "License LCSW" in text
    verify_url = re.search(r"Verify at (\S+)", text).group(1)
    assert verify_url.startswith(f"{base}/verify/")

    page.goto(verify_url)  # where the QR code and the printed address lead
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_text("Ana María Núñez")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/verify")
    page.get_by_label("Certificate file (PDF or Open Badge JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()
    expect(page.get_by_text("Authentic and unchanged")).to_be_visible()


def test_a_tampered_file_is_caught_on_the_verify_page(live_server, desktop_page, tmp_path):
    page, base = desktop_page, live_server.url
    pass_and_open_details(page, base, "demo-lesson")
    fill_details(page, "Zoë Ångström", "zoe@example.org")
    page.get_by_role("button", name="Issue certificate").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    pdf = Path(download_info.value.path()).read_bytes()
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf + b"\n% an edit after signing\n")
    page.goto(f"{base}/verify")
    page.get_by_label("Certificate file (PDF or Open Badge JSON)").set_input_files(str(tampered))
    page.get_by_role("button", name="Check this file").click()
    expect(page.get_by_text("Not authentic")).to_be_visible()
    expect(page.get_by_text("does not cover the whole file")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "verify-tampered")


def test_the_details_form_works_on_a_phone(live_server, page):
    pass_and_open_details(page, live_server.url, "self-compassion-for-clinicians")
    page.get_by_role("button", name="Issue certificate").click()  # nothing typed yet
    expect(page.get_by_role("alert").get_by_text("Enter your full name.")).to_be_visible()
    assert_accessible(page)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the details form scrolls sideways on {page.viewport_name}"
    fill_details(page, "김민준", "minjun@example.org")
    page.get_by_role("button", name="Issue certificate").click()
    expect(page.get_by_role("link", name="Download certificate (PDF)")).to_be_visible()
    screenshot(page, f"certificate-page-{page.viewport_name}")


def test_the_certificate_renders_as_an_image(live_server, desktop_page, tmp_path):
    """pdftoppm draws the first page; the PNG lands in test-artifacts/ for a person to see."""
    page = desktop_page
    pass_and_open_details(page, live_server.url, "compassion-cultivation-training")
    fill_details(page, "محمد الأحمد", "m@example.org")
    page.get_by_role("button", name="Issue certificate").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "certificate-page-1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", download_info.value.path(), str(target)],
        check=True,
    )
    png = target.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def emailed_sign_in_link(app, base: str, address: str) -> str:
    """The sign-in link My certificates emails to `address` (made as the email makes it)."""
    with app.app_context():
        return f"{base}/my-certificates/sign-in/{sign_in_token(email_key(address))}"


def test_my_certificates_link_signs_in_once_and_sign_out_ends_it(live_server, browser):
    base = live_server.url
    learner = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    pass_and_open_details(learner, base, "demo-lesson")
    fill_details(learner, "Rosa Díaz", "rosa@example.org")
    learner.get_by_role("button", name="Issue certificate").click()
    number = learner.locator(".certificate-facts dd").nth(5).inner_text()
    link = emailed_sign_in_link(live_server.app, base, "rosa@example.org")

    learner.goto(link)
    assert_accessible(learner)
    learner.get_by_role("button", name="Open my certificates").click()
    expect(learner.get_by_text("Certificates issued to rosa@example.org")).to_be_visible()
    copy_context = browser.new_context(viewport=VIEWPORTS["desktop"])
    copy_context.add_cookies(learner.context.cookies())
    copy = copy_context.new_page()
    copy.goto(f"{base}/my-certificates")
    expect(copy.get_by_role("cell", name=number, exact=True)).to_be_visible()  # the control

    learner.get_by_role("button", name="Sign out").click()
    expect(learner.get_by_text("You are signed out of My certificates.")).to_be_visible()
    copy.reload()
    expect(copy.get_by_role("button", name="Email me a sign-in link")).to_be_visible()
    assert copy.get_by_text(number).count() == 0

    stranger = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    response = stranger.goto(link)
    assert response.status == 410
    expect(stranger.get_by_text("That sign-in link has already been used")).to_be_visible()
    expect(stranger.get_by_role("button", name="Email me a sign-in link")).to_be_visible()
    assert_accessible(stranger)
    for opened in (learner, copy, stranger):
        opened.context.close()
