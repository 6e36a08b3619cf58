"""In Chromium: confirm an email address for a course that limits attempts, as a person does."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.support.quiz_steps import confirmation_link


def confirm_email_in_browser(page, app, base: str, slug: str, email: str | None = None) -> None:
    """On the quiz page, ask for the link, open it from the email and press Confirm."""
    email = email or f"learner-{secrets.token_hex(4)}@example.org"
    page.goto(f"{base}/courses/{slug}/quiz")
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Email me a confirmation link").click()
    expect(page.get_by_text(f"We sent a confirmation link to {email}")).to_be_visible()
    page.goto(base + confirmation_link(app, email, take=True))
    page.get_by_role("button", name="Confirm my email on this browser").click()
    expect(page.get_by_text(f"Your email {email} is confirmed on this browser")).to_be_visible()
