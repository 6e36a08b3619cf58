"""What the course page and the reflections page need from feedback."""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.courses.models import CourseVersion
from ceengine.extensions import db
from ceengine.feedback.forms import ReflectionForm
from ceengine.feedback.models import APPROVED, Reflection
from ceengine.feedback.services import (
    approved_reflections,
    new_reflection_key,
    rating_lines,
    reflection_settings,
)

LATEST_ON_COURSE_PAGE = 5


def reflections_page(course_id: int, page: int):
    """One page of a course's approved reflections."""
    return approved_reflections(course_id, max(page, 1))


def feedback_context(version: CourseVersion) -> dict:
    """The rating line, the latest approved reflections and the form to share one."""
    latest = list(db.session.scalars(
        sa.select(Reflection).where(Reflection.course_id == version.course_id,
                                    Reflection.status == APPROVED)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
        .limit(LATEST_ON_COURSE_PAGE + 1)))
    return {"rating": rating_lines([version.course_id]).get(version.course_id),
            "reflection_settings": reflection_settings(version.content),
            "reflections": latest[:LATEST_ON_COURSE_PAGE],
            "more_reflections": len(latest) > LATEST_ON_COURSE_PAGE,
            "reflection_form": ReflectionForm(formdata=None, form_key=new_reflection_key())}
