"""The attempts learners make at a quiz, and the answer they chose for each item."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.columns import UTCDateTime, utcnow
from ceengine.courses.models import CourseVersion, QuizItem
from ceengine.extensions import db
from ceengine.learners.models import Learner


class Attempt(db.Model):
    """One scored submission of a quiz, pinned to the course version it was taken on."""

    __tablename__ = "attempts"
    __table_args__ = (
        sa.CheckConstraint("correct >= 0 AND correct <= total", name="correct_in_range"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        # The retake policy's invariant: one attempt number per person per course, so
        # parallel posts cannot both take the last allowed attempt (or skip the wait).
        sa.UniqueConstraint("course_id", "subject", "number"),
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
    # Whom the retake policy counts: "email:<confirmed address>" where the course limits
    # attempts or imposes a wait, else "learner:<id>". `number` is 1, 2, ... per subject.
    subject: Mapped[str] = mapped_column(sa.String(300))
    number: Mapped[int]
    correct: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the learner first opened the course, copied at scoring: the time on the course
    # is submitted_at - opened_at. None for attempts scored before it was noted.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[CourseVersion] = relationship()
    learner: Mapped[Learner] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position", cascade="all, delete-orphan"
    )


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


class VersionResultTally(db.Model):
    """Attempts at one course version by day: counts and the sums reports are made from.

    Kept current in the same transaction as each attempt, so the results pages read a few
    rows per day instead of every attempt. `score` is the number of items answered right.
    """

    __tablename__ = "version_result_tallies"

    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int] = mapped_column(default=0)
    percent_sum: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    score_sum: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    score_squares: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ItemResultTally(db.Model):
    """Answers to one quiz item by day: how many, how many right, and the item-total sum.

    `correct_score_sum` adds up the attempt's score over the attempts that got this item
    right; with the version's sums it gives the item's discrimination index.
    """

    __tablename__ = "item_result_tallies"

    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz_items.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    correct_score_sum: Mapped[int] = mapped_column(sa.BigInteger, default=0)
