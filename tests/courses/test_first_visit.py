"""A first visit's pages come from memory (courses/first_visit.py), yet each visitor gets
their own token and form keys, and what changes between visits shows on the next one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ceengine.courses.first_visit import CSRF, FORM_KEY, REFLECTION_KEY
from ceengine.courses.services import current_version
from ceengine.extensions import db
from ceengine.feedback.models import RatingTotal, Reflection
from ceengine.feedback.services import APPROVED
from tests.support.app import browser
from tests.support.feedback_steps import rating_lines, share_reflection
from tests.support.html import form_in, forms_in, quiz_form_in
from tests.support.quiz_steps import answer_sheet, score

SLUG = "demo-lesson"
PLACEHOLDERS = (CSRF, FORM_KEY, REFLECTION_KEY)


def _first_visit(app, path: str = f"/courses/{SLUG}") -> str:
    response = browser(app).get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_first_visitor_gets_their_own_token_and_keys(synced):
    pages = [_first_visit(synced) for _ in range(3)]
    for page in pages:
        assert not any(placeholder in page for placeholder in PLACEHOLDERS)
    quiz = [quiz_form_in(page).hidden for page in pages]
    reflection = [form_in(page, "display_name").hidden for page in pages]
    for page in pages:  # one token per visitor, the same in every form of their page
        assert len({form.hidden["csrf_token"] for form in forms_in(page)}) == 1
    assert len({form["csrf_token"] for form in quiz}) == 3
    assert len({form["form_key"] for form in quiz}) == 3
    assert len({form["form_key"] for form in reflection}) == 3
    # Apart from those, the page is the same for every first visitor.
    blanked = set()
    for page in pages:
        for form in forms_in(page):
            for name in ("csrf_token", "form_key"):
                page = page.replace(form.hidden.get(name, "\0"), "")
        blanked.add(page)
    assert len(blanked) == 1


def test_first_visitors_share_reflections_from_the_page_they_were_served(synced):
    for name in ("Ana R.", "Priya R."):
        visitor = browser(synced)
        share_reflection(visitor, SLUG, name, "Kindness toward myself made me kinder at work.")


@pytest.mark.parametrize("path", ["", "/quiz"])
def test_first_visitors_score_the_quiz_from_the_page_they_were_served(synced, path):
    results = set()
    for _ in range(2):
        visitor = browser(synced)
        _form, data = answer_sheet(visitor, SLUG, path=path)
        response = score(visitor, SLUG, data)
        assert response.status_code == 303, response.get_data(as_text=True)
        assert visitor.get(response.headers["Location"]).status_code == 200
        results.add(response.headers["Location"])
    assert len(results) == 2  # two visitors, two attempts: no form key shared


def test_a_new_rating_and_reflection_show_on_the_next_first_visit(synced):
    assert rating_lines(_first_visit(synced)) == []
    course_id = current_version(SLUG).course_id
    db.session.add(RatingTotal(course_id=course_id, votes=2, stars=9))
    db.session.commit()
    assert rating_lines(_first_visit(synced)) == [(2, 90)]

    learner = browser(synced)
    learner.get(f"/courses/{SLUG}")
    share_reflection(learner, SLUG, "Priya R.", "The letter exercise stayed with me.")
    assert "The letter exercise stayed with me." not in _first_visit(synced)  # held for review
    reflection = db.session.scalar(sa.select(Reflection))
    reflection.status = APPROVED  # as a moderator's Approve does
    db.session.commit()
    assert "The letter exercise stayed with me." in _first_visit(synced)


def test_a_browser_with_a_session_is_rendered_for_itself(synced):
    visitor = browser(synced)
    visitor.get(f"/courses/{SLUG}")  # the first visit sets the learner cookie and a session
    again = visitor.get(f"/courses/{SLUG}").get_data(as_text=True)
    first = quiz_form_in(_first_visit(synced)).hidden
    assert quiz_form_in(again).hidden["csrf_token"] != first["csrf_token"]
    assert "Welcome back" not in again  # nothing taken yet: the same page, rendered for it
