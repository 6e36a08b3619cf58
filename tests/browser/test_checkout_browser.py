"""A paid certificate in Chromium: pass, details, Stripe Checkout (local stand-in), download."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from ceengine.courses.services import sync_courses
from tests.browser.support.pages import assert_accessible, screenshot
from tests.browser.support.quiz_steps import answer, confirm_email_in_browser
from tests.browser.support.server import LiveServer
from tests.support.app import FIXTURE_COURSES, make_app
from tests.support.billing_steps import stripe_settings
from tests.support.fake_stripe import FakeStripe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paid_site(tmp_path_factory):
    """The app with payments on, its Stripe stand-in delivering webhooks to it."""
    folder = tmp_path_factory.mktemp("paid")
    shutil.copytree(FIXTURE_COURSES, folder / "courses")
    with FakeStripe() as stripe:
        app = make_app(
            f"sqlite:///{folder / 'paid.db'}", folder / "courses", **stripe_settings(stripe)
        )
        with app.app_context():
            sync_courses(folder / "courses")
        with LiveServer(app) as server:
            stripe.auto_webhooks = server.url  # Stripe tells the app too, as it would
            yield server, stripe


def pass_and_fill_details(page, server, name: str, email: str, license_number: str) -> None:
    """Confirm an email (the course limits attempts), pass the paid course's quiz, follow Get
    my certificate, fill in every detail."""
    base = server.url
    confirm_email_in_browser(page, server.app, base, "demo-modules")
    page.goto(f"{base}/courses/demo-modules/quiz")
    answer(page, "demo-modules")
    page.get_by_role("button", name="Score My Quiz").click()
    page.get_by_role("link", name="Get my certificate").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("License type").fill("RN")
    page.get_by_label("License number").fill(license_number)
    page.get_by_label("State or jurisdiction").fill("Oregon")
    page.get_by_label("I completed this course myself").check()


def test_pay_for_a_certificate_and_download_it(paid_site, desktop_page):
    server, stripe = paid_site
    page = desktop_page
    pass_and_fill_details(page, server, "Ben Okafor", "ben@example.org", "RN-55")
    expect(page.get_by_text("$15.00")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue to payment").click()

    assert page.url.startswith(stripe.url + "/pay/")  # the hosted Checkout page
    screenshot(page, "checkout-stand-in")
    page.get_by_role("button", name="Pay").click()

    expect(page.get_by_text("Payment received")).to_be_visible()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    assert download.value.suggested_filename.startswith("ce-certificate-")
    screenshot(page, "paid-certificate")


def test_cancel_at_checkout_keeps_the_details(paid_site, desktop_page):
    server, stripe = paid_site
    page = desktop_page
    pass_and_fill_details(page, server, "Cy Test", "cy@example.org", "RN-77")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_text("Payment cancelled")).to_be_visible()
    assert page.get_by_label("Full name").input_value() == "Cy Test"
    assert page.get_by_label("License number").input_value() == "RN-77"
