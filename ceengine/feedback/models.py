"""Course evaluations (with the star rating), their running totals, and reflections."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db

PENDING, APPROVED, HIDDEN = "pending", "approved", "hidden"


class Evaluation(db.Model):
    """One learner's evaluation of one course; revising it updates this row."""

    __tablename__ = "evaluations"
    __table_args__ = (
        sa.UniqueConstraint("learner_id", "course_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        sa.CheckConstraint("presenter_knowledge BETWEEN 1 AND 5", name="presenter_range"),
        # The latest comments per course, newest first, without scanning the table.
        sa.Index("ix_evaluations_course_updated", "course_id", "updated_at"),
        sa.Index("ix_evaluations_updated", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    rating: Mapped[int]
    relevance: Mapped[int]
    presenter_knowledge: Mapped[int]
    recommend: Mapped[bool]
    comments: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    objectives: Mapped[list[ObjectiveScore]] = relationship(
        order_by="ObjectiveScore.position", cascade="all, delete-orphan"
    )


class ObjectiveScore(db.Model):
    """How well one learning objective was met (1-5), as one evaluation says."""

    __tablename__ = "evaluation_objectives"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1 = the course's first objective
    score: Mapped[int]


class RatingTotal(db.Model):
    """Certified votes and their stars per course (sums of `RatingVote`): the public line."""

    __tablename__ = "rating_totals"
    __table_args__ = (sa.CheckConstraint("votes >= 0 AND stars >= 0", name="not_negative"),)

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    votes: Mapped[int] = mapped_column(default=0)
    stars: Mapped[int] = mapped_column(default=0)


class RatingVote(db.Model):
    """The one evaluation that counts on a course's public rating line for one certified address.

    A vote is kept only for an address holding a valid certificate for the course: its row is
    the latest evaluation among the learners whose current certificate names that address.
    `stars` is that evaluation's rating as counted in `RatingTotal`, so a change moves the total
    by the difference. One address, one vote; one evaluation, at most one vote.
    """

    __tablename__ = "rating_votes"
    __table_args__ = (sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    email_key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), unique=True
    )
    stars: Mapped[int]


class EvaluationTally(db.Model):
    """How many evaluations of a version gave `answer` to `question`, by day."""

    __tablename__ = "evaluation_tallies"
    __table_args__ = (sa.CheckConstraint("responses >= 0", name="not_negative"),)

    # The key starts with the question, so the ratings page reads only the rating rows.
    # "rating", "relevance", "presenter_knowledge", "recommend" (1 yes, 0 no), "objective-N"
    question: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    answer: Mapped[int] = mapped_column(primary_key=True)
    responses: Mapped[int] = mapped_column(default=0)


class Reflection(db.Model):
    """A learner's reflection on a course, shown under the name they chose once approved."""

    __tablename__ = "reflections"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'approved', 'hidden')", name="status_known"),
        sa.Index("ix_reflections_course_status", "course_id", "status", "created_at"),
        sa.Index("ix_reflections_status_created", "status", "created_at"),
        sa.Index("ix_reflections_learner", "learner_id", "created_at"),  # the learner page
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The form's one-time key: a double click or a resend stores one reflection.
    form_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
