"""Answering and scoring a quiz, and confirming an email address for a course that limits
attempts, as a learner does it."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from ceengine.courses.models import QuizItem
from ceengine.extensions import db
from tests.support.html import form_in, quiz_form_in
from tests.support.mail_steps import outbox

ASKS_FOR_EMAIL = "Confirm your email to take this quiz"


def request_confirmation(client, slug: str, email: str):
    """Fill in the quiz page's email box and press Email me a confirmation link."""
    page = client.get(f"/courses/{slug}/quiz").get_data(as_text=True)
    form = form_in(page, "send")
    return client.post(
        form.action, data={**form.hidden, "email": email, "send": form.submits["send"]}
    )


def confirmation_link(app, email: str, take: bool = False) -> str:
    """The path of the newest confirmation link emailed to `email` (`take`: and remove that
    message from the outbox, so tests about other mail count only theirs)."""
    messages = outbox(app)
    for message in reversed(messages):
        if email.lower() in [to.lower() for to in message.to]:
            link = re.search(r"https?://\S+/quiz/confirm/\S+", message.body)
            if link:
                if take:
                    messages.remove(message)
                return urlsplit(link.group(0)).path
    raise AssertionError(f"no confirmation link was emailed to {email}")


def follow_confirmation(client, path: str):
    """Open the emailed link and press Confirm my email on this browser."""
    page = client.get(path)
    if page.status_code != 200:
        return page
    form = form_in(page.get_data(as_text=True), "confirm")
    return client.post(path, data={**form.hidden, "confirm": form.submits["confirm"]})


def confirm_email(client, slug: str, email: str = "learner@example.org") -> None:
    """Confirm `email` on this client's browser for a course that limits attempts."""
    assert request_confirmation(client, slug, email).status_code == 303
    response = follow_confirmation(client, confirmation_link(client.application, email, take=True))
    assert response.status_code == 303, response.status_code


def confirm_if_asked(client, slug: str, email: str | None = None) -> None:
    """Confirm an email only where the quiz page asks for one (courses that limit attempts);
    each browser gets its own address unless one is given."""
    if ASKS_FOR_EMAIL in client.get(f"/courses/{slug}/quiz").get_data(as_text=True):
        confirm_email(client, slug, email or f"learner-{secrets.token_hex(4)}@example.org")


def answer_sheet(client, slug: str, wrong: int = 0, skip: int = 0, path: str = "/quiz"):
    """Load the quiz and answer it: all right except `wrong` items, leaving the first `skip`
    blank; the form and the post body."""
    form = quiz_form_in(client.get(f"/courses/{slug}{path}").get_data(as_text=True))
    chosen = {}
    for index, (name, options) in enumerate(form.radios.items()):
        if index < skip:
            continue
        item = db.session.get(QuizItem, int(name.removeprefix("item-")))
        chosen[name] = (
            item.answer if index >= skip + wrong else next(o for o in options if o != item.answer)
        )
    return form, form.answers(chosen)


def score(client, slug: str, data):
    """Press Score My Quiz with this post body."""
    return client.post(f"/courses/{slug}/quiz", data=data)
