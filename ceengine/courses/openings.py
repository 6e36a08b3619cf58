"""When a learner first opened a course and each of its modules (time on task).

Each opening is written once, by an INSERT that does nothing when the row is there already
(race safe on SQLite and PostgreSQL alike); times are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ceengine.courses.models import CourseOpening
from ceengine.extensions import db
from ceengine.learners.identity import learner_for, learner_with_token
from ceengine.rollups import current_dialect


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives times back without their zone; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def record_opening(learner_id: int, course_id: int, module: int | None, at: datetime) -> None:
    """Note that the learner opened the course (or module number `module`) at `at`, unless
    an earlier opening is already noted. Does not commit."""
    insert = postgresql.insert if current_dialect() == "postgresql" else sqlite.insert
    statement = insert(CourseOpening).values(
        learner_id=learner_id, course_id=course_id, module=module, opened_at=at
    )
    # No conflict target: the course page's row is kept unique by a partial index.
    db.session.execute(statement.on_conflict_do_nothing())


def _noted(learner_id: int, course_ids: set[int]) -> set[tuple[int, int | None]]:
    rows = db.session.execute(
        sa.select(CourseOpening.course_id, CourseOpening.module).where(
            CourseOpening.learner_id == learner_id, CourseOpening.course_id.in_(course_ids)
        )
    )
    return {(course_id, module) for course_id, module in rows}


def record_openings(learner_token: str, openings: list[tuple[int, int | None, datetime]]) -> None:
    """Note each (course, module, when) for the learner with this cookie token, and commit.

    A page reload only reads: only openings not noted yet are inserted.
    """
    learner = learner_with_token(learner_token)
    if learner is not None:
        noted = _noted(learner.id, {course_id for course_id, _, _ in openings})
        openings = [o for o in openings if (o[0], o[1]) not in noted]
    if not openings:
        return
    learner = learner or learner_for(learner_token)
    db.session.flush()
    for course_id, module, at in openings:
        record_opening(learner.id, course_id, module, at)
    db.session.commit()


def first_opened(learner_id: int, course_id: int) -> datetime | None:
    """When the learner first opened the course (any of its pages), if it was noted."""
    return _utc(
        db.session.scalar(
            sa.select(sa.func.min(CourseOpening.opened_at)).where(
                CourseOpening.learner_id == learner_id, CourseOpening.course_id == course_id
            )
        )
    )


def modules_opened(learner_id: int, course_id: int, module_count: int, by: datetime) -> int:
    """How many of the course's first `module_count` modules the learner opened by `by`."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(CourseOpening.module))).where(
                CourseOpening.learner_id == learner_id,
                CourseOpening.course_id == course_id,
                CourseOpening.module.between(1, module_count),
                CourseOpening.opened_at <= by,
            )
        )
        or 0
    )
