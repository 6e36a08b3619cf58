"""Courses, their content versions, and each version's quiz items."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.columns import UTCDateTime, utcnow
from ceengine.courses.content import CourseContent
from ceengine.courses.items import ItemType, item_type
from ceengine.extensions import db


class Course(db.Model):
    """A course, identified by its folder name; its content lives in versions."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    published: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class CourseVersion(db.Model):
    """One exact content of a course; attempts and certificates point at the one taken."""

    __tablename__ = "course_versions"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "number"),
        sa.UniqueConstraint("course_id", "content_hash"),
        sa.CheckConstraint("ce_hours > 0", name="ce_hours_positive"),
        sa.CheckConstraint("pass_threshold BETWEEN 1 AND 100", name="pass_threshold_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(200))
    ce_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    pass_threshold: Mapped[int]
    # Read only when a version's snapshot is first built (courses/snapshots.py), not per page.
    content: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    items: Mapped[list[QuizItem]] = relationship(
        back_populates="version", order_by="QuizItem.position"
    )

    @property
    def spec(self) -> CourseContent:
        """This version's content as typed values: from the process's snapshot of a stored
        version, else built once per loaded `content`."""
        from ceengine.courses.snapshots import is_cacheable, snapshot_of

        if is_cacheable(self):
            return snapshot_of(self).spec
        # Keyed by the dict itself: a reload after expiry (or a new assignment) rebuilds it.
        content = self.content
        cached = self.__dict__.get("_spec")
        if cached is None or cached[0] is not content:
            cached = (content, CourseContent.from_json(content))
            self.__dict__["_spec"] = cached
        return cached[1]

    @property
    def item_count(self) -> int:
        """How many items the quiz has (from the snapshot of a stored version)."""
        from ceengine.courses.snapshots import is_cacheable, snapshot_of

        return len(snapshot_of(self).items) if is_cacheable(self) else len(self.items)


class QuizItem(db.Model):
    """One comprehension item of one course version; its answer never leaves the server."""

    __tablename__ = "quiz_items"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.UniqueConstraint("version_id", "position"),
        sa.CheckConstraint("kind IN ('true_false', 'multiple_choice')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.Text)
    options: Mapped[list] = mapped_column(sa.JSON)
    answer: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text)
    section: Mapped[str] = mapped_column(sa.String(200))
    module: Mapped[str] = mapped_column(sa.String(100))

    version: Mapped[CourseVersion] = relationship(back_populates="items")

    @property
    def item_type(self) -> ItemType:
        """This item's type (`kind` is its name): choices, accepted answers, labels."""
        return item_type(self.kind)

    def label_of(self, answer: str) -> str:
        """How an answer to this item is shown to the learner."""
        return self.item_type.label(self.options, answer)


class SponsorVersion(db.Model):
    """One exact content of `sponsor.yaml` (the approvals); the newest synced one is in force.

    Kept like course versions: a certificate stores what it printed, and this history shows
    which approvals the sponsor listed when.
    """

    __tablename__ = "sponsor_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseOpening(db.Model):
    """When a learner first opened a course (`module` None) or one of its modules.

    One row per (learner, course, module), kept by the database: a reload or two requests at
    once find the row there and leave it. `module` is the module's position (1, 2, ...).
    """

    __tablename__ = "course_openings"
    __table_args__ = (
        sa.UniqueConstraint("learner_id", "course_id", "module"),
        # NULLs are distinct in a unique constraint: the course page's row needs its own.
        sa.Index(
            "uq_course_openings_course_page",
            "learner_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text("module IS NULL"),
            postgresql_where=sa.text("module IS NULL"),
        ),
        sa.CheckConstraint("module >= 1", name="module_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[int | None]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FinishedModule(db.Model):
    """A module a learner marked as done (pressed Next at its end), once per module.

    `module` is the module's address (its slug), so a content fix that makes a new version
    keeps the learner's ticks; `version_id` records which version they finished it on. Read
    by learner and course through the unique index, so the cost does not grow with the table.
    """

    __tablename__ = "finished_modules"
    __table_args__ = (sa.UniqueConstraint("learner_id", "course_id", "module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    module: Mapped[str] = mapped_column(sa.String(100))
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
