"""Moderating reflections: the queue, approving, hiding and deleting, and what the public sees."""

from __future__ import annotations

import pytest

from ceengine.extensions import db
from ceengine.feedback.models import APPROVED, HIDDEN, PENDING, Reflection
from tests.support.admin_steps import post_action
from tests.support.factories import reflection_with, rows_of
from tests.support.feedback_steps import share_reflection
from tests.support.html import flashes_in, form_in, form_posting_to, html_of, text_of
from tests.support.reports import LESSON, page


def public_reflections(client, slug: str) -> str:
    """The text of the course page and of its reflections page."""
    return text_of(client.get(f"/courses/{slug}")) + text_of(
        client.get(f"/courses/{slug}/reflections")
    )


def moderate(admin, reflection_id: int, action: str, listing: str = "/admin/reflections"):
    """Press Approve or Hide on the moderation list."""
    form = form_posting_to(page(admin, listing), f"/reflections/{reflection_id}/{action}")
    return admin.post(form.action, data=form.hidden)


# --- moderating reflections ----------------------------------------------------------------


@pytest.fixture
def shared(synced):
    """A reflection a learner shared on the lesson's page, waiting for moderation."""
    learner = synced.test_client()
    response = share_reflection(
        learner,
        "demo-lesson",
        "Sam R.",
        "The pause before replying helped me with a hard client today.",
    )
    assert (
        "Thank you for sharing your reflection. It will appear once a moderator has approved it."
    ) in flashes_in(learner.get(response.headers["Location"]))
    return rows_of(Reflection)[0]


BODY = "The pause before replying helped me with a hard client today."


def test_a_shared_reflection_waits_in_the_queue_and_is_not_public(synced, admin, shared):
    queue = text_of(page(admin, "/admin/reflections"))

    assert shared.status == PENDING
    assert f"Sam R. on {LESSON}" in queue and BODY in queue and "Pending" in queue
    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")


def test_approving_shows_the_reflection_on_the_course_page(synced, admin, shared):
    response = moderate(admin, shared.id, "approve")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/reflections")
    assert "The reflection by Sam R. is now approved." in flashes_in(
        admin.get(response.headers["Location"])
    )
    db.session.refresh(shared)
    assert shared.status == APPROVED and shared.moderated_at is not None
    assert BODY in text_of(synced.test_client().get("/courses/demo-lesson"))
    assert "No reflections match." in text_of(page(admin, "/admin/reflections"))
    assert BODY in text_of(page(admin, "/admin/reflections?status=approved"))


def test_hiding_takes_an_approved_reflection_off_the_course_page(synced, admin, shared):
    moderate(admin, shared.id, "approve")

    response = moderate(admin, shared.id, "hide", listing="/admin/reflections?status=approved")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reflections?status=approved"
    db.session.refresh(shared)
    assert shared.status == HIDDEN
    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")
    hidden = text_of(page(admin, "/admin/reflections?status=hidden"))
    assert BODY in hidden and "Hidden" in hidden


def test_a_hidden_pending_reflection_never_reaches_the_public(synced, admin, shared):
    moderate(admin, shared.id, "hide")

    assert BODY not in public_reflections(synced.test_client(), "demo-lesson")
    everything = text_of(page(admin, "/admin/reflections?status=all"))
    assert BODY in everything


def test_deleting_asks_first_then_removes_the_row(synced, admin, shared):
    confirm = page(admin, f"/admin/reflections/{shared.id}/delete")

    assert "Delete this reflection?" in text_of(confirm) and BODY in text_of(confirm)
    assert len(rows_of(Reflection)) == 1  # looking at the page deletes nothing
    form = form_in(html_of(confirm), "csrf_token")
    response = admin.post(f"/admin/reflections/{shared.id}/delete", data=form.hidden)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reflections"
    assert "The reflection has been deleted." in flashes_in(admin.get("/admin/reflections"))
    db.session.expire_all()
    assert rows_of(Reflection) == []
    assert admin.get(f"/admin/reflections/{shared.id}/delete").status_code == 404
    again = admin.post(f"/admin/reflections/{shared.id}/delete", data=form.hidden)
    assert "That reflection had already been deleted." in flashes_in(
        admin.get(again.headers["Location"])
    )


def test_moderation_never_leads_outside_the_console(synced, admin, shared):
    response = post_action(
        admin, f"/admin/reflections/{shared.id}/approve", next="https://evil.test/admin/reflections"
    )

    assert response.headers["Location"] == "/admin/reflections"


def test_moderating_a_reflection_that_is_gone_says_so(synced, admin):
    response = post_action(admin, "/admin/reflections/424242/approve")

    assert response.status_code == 303
    assert "That reflection no longer exists." in flashes_in(admin.get("/admin/reflections"))


def test_a_line_break_in_next_goes_back_to_the_list(synced, admin, shared):
    response = post_action(
        admin,
        f"/admin/reflections/{shared.id}/approve",
        next="/admin/reflections\r\nSet-Cookie: x=1",
    )

    assert response.headers["Location"] == "/admin/reflections"


def test_only_approved_reflections_are_public_whatever_their_number(synced, admin):
    for n, status in enumerate([PENDING, APPROVED, HIDDEN, APPROVED, PENDING]):
        reflection = reflection_with("demo-lesson", f"Learner {n}", f"Reflection number {n}.")
        reflection.status = status
    db.session.commit()

    public = public_reflections(synced.test_client(), "demo-lesson")

    assert [n for n in range(5) if f"Reflection number {n}." in public] == [1, 3]
    queue = text_of(page(admin, "/admin/reflections"))
    assert [n for n in range(5) if f"Reflection number {n}." in queue] == [0, 4]
