"""In Chromium: answer a quiz like a person, and confirm an email address for a course that
limits attempts."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from ceengine.courses.format import read_courses
from tests.support.app import FIXTURE_COURSES, PROJECT_COURSES
from tests.support.quiz_steps import confirmation_link

COURSES = {
    spec.slug: spec for spec in read_courses(PROJECT_COURSES)[0] + read_courses(FIXTURE_COURSES)[0]
}


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


def answer(page, slug: str, wrong: int = 0, skip: int = 0) -> None:
    """Answer the quiz on the page like a person: click the label of each choice."""
    items = COURSES[slug].items
    for index, item in enumerate(items):
        if index < skip:
            continue
        choice = item["answer"]
        if index < skip + wrong:
            choice = next(o for o in item["options"] if o != item["answer"])
        group = page.get_by_role("group", name=item["statement"], exact=True)
        group.get_by_label(choice, exact=True).check()
