"""What the course page, the quiz result and the reflections page need from feedback."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from ceengine.courses.models import CourseVersion
from ceengine.extensions import db
from ceengine.feedback.forms import ReflectionForm
from ceengine.feedback.services import (
    approved_reflections,
    approved_reflections_query,
    evaluation_of,
    new_reflection_key,
    rating_lines,
)
from ceengine.quizzes.models import Attempt

LATEST_ON_COURSE_PAGE = 5
# Built once (every course page runs it); one more than shown tells whether there are more.
_LATEST_REFLECTIONS = approved_reflections_query(sa.bindparam("course_id")).limit(
    LATEST_ON_COURSE_PAGE + 1
)


def evaluation_link(attempt: Attempt) -> str | None:
    """What a passed quiz's result page offers about the course evaluation: "revise" once
    evaluated, "optional" where the course does not require one (a required one is asked for
    on the way to the certificate), else None. A template global, so quizzes need not know
    feedback."""
    if not attempt.passed:
        return None
    if evaluation_of(attempt.learner_id, attempt.course_id) is not None:
        return "revise"
    return None if attempt.version.spec.evaluation.required else "optional"


def reflections_page(course_id: int, page: int) -> Pagination:
    """One page of a course's approved reflections (page numbers are kept in range)."""
    return approved_reflections(course_id, page)


def feedback_panels(version: CourseVersion) -> dict:
    """What the course page shows of feedback that changes between visits: the rating line
    and the latest approved reflections (no form)."""
    settings = version.spec.reflections
    panels = {
        "rating": rating_lines([version.course_id]).get(version.course_id),
        "reflection_settings": settings,
    }
    if settings.enabled:
        latest = list(db.session.scalars(_LATEST_REFLECTIONS, {"course_id": version.course_id}))
        panels.update(
            reflections=latest[:LATEST_ON_COURSE_PAGE],
            more_reflections=len(latest) > LATEST_ON_COURSE_PAGE,
        )
    return panels


def feedback_context(
    version: CourseVersion, reflection_key: str | None = None, panels: dict | None = None
) -> dict:
    """The rating line, the latest approved reflections (`panels`, else read now) and the
    form to share one (its key `reflection_key`, else a fresh one)."""
    context = dict(panels or feedback_panels(version))
    if context["reflection_settings"].enabled:
        # Made here, while the page renders: a form takes its CSRF token when it is made.
        context["reflection_form"] = ReflectionForm(
            formdata=None, form_key=reflection_key or new_reflection_key()
        )
    return context


def live_key(panels: dict) -> tuple:
    """`feedback_panels` (the rating line, the reflections shown) as a key for a page
    rendered once per such state."""
    shown = tuple(
        (r.id, r.display_name, r.body, r.created_at) for r in panels.get("reflections", ())
    )
    return panels["rating"], shown, panels.get("more_reflections")
