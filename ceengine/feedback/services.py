"""Saving evaluations (keeping their running totals exact), the rating line, reflections."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError

from ceengine.audit import trail as audit
from ceengine.columns import utcnow
from ceengine.courses.models import CourseVersion
from ceengine.extensions import db
from ceengine.feedback.models import (
    APPROVED,
    HIDDEN,
    PENDING,
    Evaluation,
    ObjectiveScore,
    RatingTotal,
    Reflection,
)
from ceengine.feedback.totals import count_evaluation, uncount_evaluation
from ceengine.feedback.votes import update_votes
from ceengine.learners.models import Learner
from ceengine.rollups import add_to_totals
from ceengine.text import clean_multiline

if TYPE_CHECKING:  # only a type here; importing quizzes would load its pages, which load this
    from ceengine.quizzes.models import Attempt

COMMENTS_MAX = 2000
REFLECTION_MAX = 1500
NAME_MAX = 80


class FeedbackError(Exception):
    """Feedback that cannot be taken; the message is for the learner or admin."""


@dataclass(frozen=True)
class EvaluationAnswers:
    """What a learner answered on the evaluation form."""

    rating: int
    objectives: tuple[int, ...]  # one score per learning objective, in the course's order
    relevance: int
    presenter_knowledge: int
    recommend: bool
    comments: str = ""


@dataclass(frozen=True)
class RatingLine:
    """`Rating of this course out of N votes: X%` (`1 vote` when N is 1)."""

    votes: int
    stars: int

    @property
    def percent(self) -> int:
        """The mean star rating as a percentage of 5 stars, rounded half up."""
        return (40 * self.stars + self.votes) // (2 * self.votes)  # = round(stars/votes/5*100)

    @property
    def mean(self) -> float:
        """The mean star rating, 1 to 5."""
        return self.stars / self.votes


def evaluation_of(learner_id: int, course_id: int) -> Evaluation | None:
    """The learner's evaluation of the course, if they have given one."""
    return db.session.scalar(
        sa.select(Evaluation).where(
            Evaluation.learner_id == learner_id, Evaluation.course_id == course_id
        )
    )


def evaluation_due(attempt: Attempt) -> bool:
    """Whether this learner must evaluate the course before getting the certificate."""
    return (
        attempt.version.spec.evaluation.required
        and evaluation_of(attempt.learner_id, attempt.course_id) is None
    )


def _check(version: CourseVersion, answers: EvaluationAnswers) -> None:
    scores = (answers.rating, answers.relevance, answers.presenter_knowledge, *answers.objectives)
    if any(not 1 <= score <= 5 for score in scores):
        raise FeedbackError("Each answer is on a scale of 1 to 5.")
    if len(answers.objectives) != len(version.spec.objectives):
        raise FeedbackError("Please rate every learning objective.")
    if len(answers.comments) > COMMENTS_MAX:
        raise FeedbackError(f"Comments can be at most {COMMENTS_MAX} characters.")


def _fill(evaluation: Evaluation, version: CourseVersion, answers: EvaluationAnswers) -> None:
    evaluation.version_id = version.id
    evaluation.rating = answers.rating
    evaluation.relevance = answers.relevance
    evaluation.presenter_knowledge = answers.presenter_knowledge
    evaluation.recommend = answers.recommend
    evaluation.comments = answers.comments.strip()
    evaluation.updated_at = utcnow()
    evaluation.objectives = [
        ObjectiveScore(position=position, score=score)
        for position, score in enumerate(answers.objectives, start=1)
    ]


def save_evaluation(
    learner: Learner, version: CourseVersion, answers: EvaluationAnswers
) -> Evaluation:
    """Store the learner's evaluation of the course, or revise the one they gave.

    Every evaluation is kept for the admin's reports; the public rating line counts it only
    when the learner holds a certificate for the course (see ceengine/feedback/votes.py).
    """
    _check(version, answers)
    # Writing to the course's rating total first makes evaluation writes for one course take
    # turns (a row lock on PostgreSQL, the write lock on SQLite): a revision then reads the
    # answers it takes back fresh, and two writers never wait on each other's tally rows.
    add_to_totals(
        RatingTotal.__table__,
        ("course_id",),
        [{"course_id": version.course_id, "votes": 0, "stars": 0}],
    )
    evaluation = db.session.scalar(
        sa.select(Evaluation)
        .where(Evaluation.learner_id == learner.id, Evaluation.course_id == version.course_id)
        .execution_options(populate_existing=True)
    )
    if evaluation is None:
        evaluation = Evaluation(learner_id=learner.id, course_id=version.course_id)
        _fill(evaluation, version, answers)
        db.session.add(evaluation)
        try:
            db.session.flush()
        except IntegrityError:
            # A twin request stored it first: revise that one. (Nothing else is in this
            # transaction yet, so rolling it all back loses nothing; a savepoint would not
            # keep the row and its totals together on SQLite's driver.)
            db.session.rollback()
            return save_evaluation(learner, version, answers)
    else:
        uncount_evaluation(evaluation)
        _fill(evaluation, version, answers)
        db.session.flush()
    count_evaluation(evaluation)
    # The public line counts it only from a certified learner, once per address (votes.py).
    update_votes(learner.id, version.course_id)
    db.session.commit()
    return evaluation


_RATING_LINES = sa.select(RatingTotal.course_id, RatingTotal.votes, RatingTotal.stars).where(
    RatingTotal.course_id.in_(sa.bindparam("ids", expanding=True)), RatingTotal.votes > 0
)  # built once: every course page and the catalog run it


def rating_lines(course_ids: list[int]) -> dict[int, RatingLine]:
    """The public rating line of each course with certified votes (one indexed lookup)."""
    if not course_ids:
        return {}
    rows = db.session.execute(_RATING_LINES, {"ids": list(course_ids)})
    return {course_id: RatingLine(votes, stars) for course_id, votes, stars in rows}


def new_reflection_key() -> str:
    """A one-time key for one reflection form."""
    return secrets.token_urlsafe(18)


def post_reflection(
    learner: Learner, version: CourseVersion, form_key: str, name: str, body: str
) -> tuple[Reflection, bool]:
    """Store a reflection (held for moderation when the course says so); (row, is_new)."""
    settings = version.spec.reflections
    if not settings.enabled:
        raise FeedbackError("This course does not take reflections.")
    existing = db.session.scalar(sa.select(Reflection).where(Reflection.form_key == form_key))
    if existing is not None:
        if existing.learner_id != learner.id:
            raise FeedbackError("This form was already used. Reload the page to write another.")
        return existing, False
    reflection = Reflection(
        form_key=form_key,
        course_id=version.course_id,
        learner_id=learner.id,
        display_name=name.strip(),
        body=clean_multiline(body),
        status=PENDING if settings.moderation else APPROVED,
    )
    db.session.add(reflection)
    try:
        db.session.commit()
    except IntegrityError:  # a double click: the twin stored it
        db.session.rollback()
        return post_reflection(learner, version, form_key, name, body)
    return reflection, True


def approved_reflections_query(course_id: int) -> sa.Select:
    """A course's approved reflections, newest first."""
    return (
        sa.select(Reflection)
        .where(Reflection.course_id == course_id, Reflection.status == APPROVED)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
    )


def approved_reflections(course_id: int, page: int, per_page: int = 20) -> Pagination:
    """The approved reflections on a course, one page at a time."""
    return db.paginate(
        approved_reflections_query(course_id),
        page=min(max(page, 1), 10_000),
        per_page=per_page,
        error_out=False,
    )


MODERATED = {
    APPROVED: "reflection_approved",
    HIDDEN: "reflection_hidden",
    PENDING: "reflection_pending",
}


def moderate_reflection(reflection_id: int, status: str, reason: str = "") -> Reflection:
    """Approve or hide a reflection (`reason`, if given, is kept in the audit trail)."""
    if status not in (APPROVED, HIDDEN, PENDING):
        raise FeedbackError("Unknown moderation action.")
    reflection = db.session.get(Reflection, reflection_id)
    if reflection is None:
        raise FeedbackError("That reflection no longer exists.")
    if status != reflection.status:
        audit.record(
            MODERATED[status],
            f"reflection {reflection.id}",
            reason=reason,
            before={"status": reflection.status},
            after={"status": status},
        )
    reflection.status = status
    reflection.moderated_at = utcnow()
    db.session.commit()
    return reflection


def delete_reflection(reflection_id: int, reason: str = "") -> bool:
    """Delete a reflection for good (`reason`, if given, is kept in the audit trail); False
    when it was already gone."""
    reflection = db.session.get(Reflection, reflection_id)
    if reflection is not None:
        audit.record(
            "reflection_deleted",
            f"reflection {reflection.id}",
            reason=reason,
            before={
                "status": reflection.status,
                "display_name": reflection.display_name,
                "body": reflection.body,
            },
        )
    deleted = db.session.execute(sa.delete(Reflection).where(Reflection.id == reflection_id))
    db.session.commit()
    return deleted.rowcount > 0
