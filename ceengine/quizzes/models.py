"""The attempts learners make at a quiz, and the answer they chose for each item."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.courses.models import CourseVersion, QuizItem
from ceengine.extensions import db
from ceengine.learners.models import Learner
from ceengine.models import UTCDateTime, utcnow


class Attempt(db.Model):
    """One scored submission of a quiz, pinned to the course version it was taken on."""

    __tablename__ = "attempts"
    __table_args__ = (
        sa.CheckConstraint("correct >= 0 AND correct <= total", name="correct_in_range"),
        sa.Index("ix_attempts_learner_course", "learner_id", "course_id", "submitted_at"),
        sa.Index("ix_attempts_version_submitted", "version_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    form_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    # The version's course, kept on the row (never changes) so the retake policy counts
    # a learner's attempts across versions from one index, without a join.
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    correct: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[CourseVersion] = relationship()
    learner: Mapped[Learner] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position",
        cascade="all, delete-orphan")


class AttemptAnswer(db.Model):
    """The option a learner chose for one item in one attempt, in the order shown."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "item_id"),
        sa.UniqueConstraint("attempt_id", "position"),
        sa.Index("ix_attempt_answers_item", "item_id", "correct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_items.id"))
    position: Mapped[int]
    chosen: Mapped[str] = mapped_column(sa.Text)
    correct: Mapped[bool]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    item: Mapped[QuizItem] = relationship()
