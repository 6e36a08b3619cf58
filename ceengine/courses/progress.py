"""Where a learner is in a module course: the modules opened and finished, and what is next.

Opened modules come from the time-on-task openings (`openings.py`, one row per module
position); finished ones are written when the learner presses Next at a module's end. Both
are read by learner and course through their unique indexes: two small lookups per page.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ceengine.columns import utcnow
from ceengine.courses.content import CourseContent, Module
from ceengine.courses.models import CourseOpening, CourseVersion, FinishedModule
from ceengine.extensions import db
from ceengine.learners.identity import learner_for
from ceengine.learners.models import Learner
from ceengine.rollups import current_dialect


@dataclass(frozen=True)
class Progress:
    """One learner's place in a module course's current version."""

    modules: tuple[Module, ...]
    finished: frozenset[str]  # module slugs
    opened: frozenset[str]

    @property
    def total(self) -> int:
        """How many modules the course has."""
        return len(self.modules)

    @property
    def done(self) -> int:
        """How many of the course's modules the learner has finished."""
        return sum(m.slug in self.finished for m in self.modules)

    @property
    def remaining(self) -> int:
        """How many modules are left before the quiz."""
        return self.total - self.done

    @property
    def started(self) -> bool:
        """Whether the learner has opened or finished any module."""
        return bool(self.finished or self.opened)

    @property
    def next_module(self) -> Module | None:
        """Where to continue: the first module not finished yet (None when all are)."""
        return next((m for m in self.modules if m.slug not in self.finished), None)

    def position_of(self, module: Module) -> int:
        """The module's number, as every page shows it (1, 2, ...)."""
        return next(i for i, m in enumerate(self.modules, 1) if m.slug == module.slug)

    def state_of(self, module: Module) -> str:
        """'done', 'opened' or 'new' for one module of the list."""
        if module.slug in self.finished:
            return "done"
        return "opened" if module.slug in self.opened else "new"


def progress_of(learner: Learner | None, version: CourseVersion) -> Progress:
    """The learner's progress through the version's modules (empty for an unknown learner)."""
    course: CourseContent = version.spec
    modules = tuple(course.modules)
    if learner is None or learner.id is None:
        return Progress(modules, frozenset(), frozenset())
    finished = db.session.scalars(
        sa.select(FinishedModule.module).where(
            FinishedModule.learner_id == learner.id,
            FinishedModule.course_id == version.course_id,
        )
    )
    positions = db.session.scalars(
        sa.select(CourseOpening.module).where(
            CourseOpening.learner_id == learner.id,
            CourseOpening.course_id == version.course_id,
            CourseOpening.module.is_not(None),
        )
    )
    opened = {modules[p - 1].slug for p in positions if 1 <= p <= len(modules)}
    return Progress(modules, frozenset(finished), frozenset(opened))


def finish_module(learner_token: str, version: CourseVersion, module: Module) -> None:
    """Note that the learner with this cookie token finished `module`, once; commits."""
    learner = learner_for(learner_token)
    db.session.flush()
    insert = postgresql.insert if current_dialect() == "postgresql" else sqlite.insert
    statement = insert(FinishedModule).values(
        learner_id=learner.id,
        course_id=version.course_id,
        version_id=version.id,
        module=module.slug,
        finished_at=utcnow(),
    )
    # A double click or a second tab finds the row there and leaves it (and its first date).
    db.session.execute(statement.on_conflict_do_nothing())
    db.session.commit()
