"""Quiz attempts: who may take one, scoring a submission exactly once, finding results."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ceengine import localtime
from ceengine.columns import utcnow
from ceengine.courses.models import CourseVersion
from ceengine.courses.openings import first_opened, record_opening
from ceengine.courses.snapshots import Item, snapshot_of
from ceengine.extensions import db
from ceengine.learners.confirmation import confirmed_email
from ceengine.learners.identity import learner_for
from ceengine.learners.models import Learner
from ceengine.quizzes.grading import Grade, ItemKey, grade
from ceengine.quizzes.models import Attempt, AttemptAnswer
from ceengine.quizzes.policy import Availability, attempt_availability, scoring_availability
from ceengine.quizzes.totals import count_attempt


class QuizError(Exception):
    """A submission that cannot be scored; the message is for the learner."""


class TamperedForm(QuizError):
    """A form no honest page could have sent (answered with 400)."""


class AttemptNotAllowed(QuizError):
    """The course's retake policy refuses another attempt now."""


class ScoringNotOpen(AttemptNotAllowed):
    """The course's minimum study time has not passed since the learner first opened it."""


class EmailNotConfirmed(QuizError):
    """The course limits attempts, and this browser has not confirmed an email address."""


UPDATED_NOTICE = "The quiz was updated: check your answers and press Score My Quiz again."
CONFIRM_NOTICE = (
    "This course limits attempts, so it counts them per email address: confirm "
    "your email below, then press Score My Quiz again. Your answers are kept."
)
_RETRIES = 50  # unlimited courses: a number a parallel post took first means: take the next


@dataclass(frozen=True)
class AlreadyScored(Exception):
    """This exact form was scored before (a double click or a resubmission)."""

    attempt: Attempt


def new_form_key() -> str:
    """A fresh key for one quiz form; it makes resubmitting that form harmless."""
    return secrets.token_urlsafe(18)


def items_in_order(version: CourseVersion, form_key: str) -> list[Item]:
    """The items as this form shows them (from the version's snapshot, not the database):
    shuffled per form when the course asks."""
    items = list(snapshot_of(version).items)
    if version.spec.quiz_policy.shuffle:
        random.Random(form_key).shuffle(items)
    return items


def submitted_version(course_slug: str, version_id: int) -> CourseVersion:
    """The version a form was rendered from; it must belong to the course in the address."""
    version = db.session.get(CourseVersion, version_id)
    if version is None or version.course.slug != course_slug or not version.course.published:
        raise TamperedForm(
            "This quiz form does not belong to this course. "
            "Please reload the course page and answer the quiz again."
        )
    return version


def needs_confirmation(version: CourseVersion) -> bool:
    """Whether the course's retake policy counts attempts per confirmed email address."""
    policy = version.spec.quiz_policy
    return policy.max_attempts is not None or bool(policy.wait_minutes)


def policy_subject(learner: Learner | None, version: CourseVersion) -> str | None:
    """Whom the retake policy counts: a confirmed address where it limits, else the learner."""
    if needs_confirmation(version):
        email = confirmed_email(learner)
        return f"email:{email}" if email else None
    return f"learner:{learner.id}" if learner is not None and learner.id else None


def learner_attempts(learner: Learner | None, course_id: int) -> list[Attempt]:
    """A learner's attempts at a course, newest first."""
    if learner is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.learner_id == learner.id, Attempt.course_id == course_id)
            .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
        )
    )


def _used(subject: str | None, course_id: int):
    """The highest attempt number and the latest attempt time for `subject` at a course."""
    if subject is None:
        return 0, None
    used, last = db.session.execute(
        sa.select(sa.func.max(Attempt.number), sa.func.max(Attempt.submitted_at)).where(
            Attempt.course_id == course_id, Attempt.subject == subject
        )
    ).one()
    if last is not None and last.tzinfo is None:  # SQLite drops the zone; values are UTC
        last = last.replace(tzinfo=utcnow().tzinfo)
    return used or 0, last


def _apply_policy(version: CourseVersion, used: int, last: datetime | None) -> Availability:
    policy = version.spec.quiz_policy
    return attempt_availability(
        max_attempts=policy.max_attempts,
        wait_minutes=policy.wait_minutes,
        attempts_used=used,
        last_attempt_at=last,
        now=utcnow(),
    )


def subject_availability(subject: str | None, version: CourseVersion) -> Availability:
    """Whether `subject` may start another attempt at this course now."""
    return _apply_policy(version, *_used(subject, version.course_id))


def availability(learner: Learner | None, version: CourseVersion) -> Availability:
    """Whether `learner` may start another attempt at this course now."""
    return subject_availability(policy_subject(learner, version), version)


def has_passed(subject: str, course_id: int) -> bool:
    """Whether `subject` has passed this course's quiz at some attempt."""
    return (
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    Attempt.course_id == course_id, Attempt.subject == subject, Attempt.passed
                )
            )
        )
        or False
    )


def _refuse_if_scored(form_key: str, learner_token: str, answers: dict[int, str]) -> None:
    """Raise AlreadyScored if this form was scored before, with these answers by this
    learner (a double click); TamperedForm if it was scored for anyone or anything else."""
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.form_key == form_key))
    if attempt is None:
        return
    same = {a.item_id: a.chosen for a in attempt.answers} == answers
    if attempt.learner.token != learner_token or not same:
        raise TamperedForm(
            "This quiz form was already scored. To try again, start a new "
            "attempt from the course page."
        )
    raise AlreadyScored(attempt)


def submit_attempt(
    learner_token: str, version: CourseVersion, form_key: str, responses: dict[int, str]
) -> Attempt:
    """Score and store one attempt; the same form submitted twice yields one attempt.

    The attempt takes the next number for its subject in the same transaction; the unique
    (course, subject, number) constraint refuses a parallel twin, so the limit and the wait
    hold however many posts arrive at once.
    """
    items = items_in_order(version, form_key)
    keys = [ItemKey(item.id, tuple(item.options), item.answer, item.kind) for item in items]
    result = grade(keys, responses, version.pass_threshold)
    answers = {r.item_id: r.chosen for r in result.items}  # as stored: normalised by type
    _refuse_if_scored(form_key, learner_token, answers)
    opened_at = _study_started(learner_token, version)
    for _ in range(_RETRIES):
        learner = learner_for(learner_token)
        subject = policy_subject(learner, version)
        if subject is None:
            db.session.rollback()
            raise EmailNotConfirmed(CONFIRM_NOTICE)
        # One read decides both the policy and the number: a twin that took this number
        # after it is refused by the unique constraint, never let through.
        used, last = _used(subject, version.course_id)
        allowed = _apply_policy(version, used, last)
        if not allowed.allowed:
            db.session.rollback()
            raise AttemptNotAllowed(allowed.reason)
        attempt = _new_attempt(learner, version, form_key, subject, used + 1, result)
        attempt.opened_at = opened_at
        try:
            db.session.flush()  # the unique keys refuse a twin here, before any totals move
            answer_rows = _answer_rows(attempt.id, result)
            db.session.execute(sa.insert(AttemptAnswer), answer_rows)  # one executemany
            count_attempt(attempt, answer_rows)
            public_id = attempt.public_id
            db.session.commit()
            # Known without reading the row back: the result page's address.
            set_committed_value(attempt, "public_id", public_id)
            return attempt
        except IntegrityError:
            db.session.rollback()
            _refuse_if_scored(form_key, learner_token, answers)  # a double click: its attempt
            if needs_confirmation(version):  # a parallel post took this number
                again = subject_availability(subject, version)
                raise AttemptNotAllowed(
                    again.reason
                    or "Another attempt at this quiz was "
                    "scored at the same moment. Reload the quiz page."
                ) from None
    raise AttemptNotAllowed(
        "Too many attempts at this quiz arrived at once. Please press Score My Quiz again."
    )


def _study_started(learner_token: str, version: CourseVersion) -> datetime:
    """When the learner first opened the course (noted now if it never was); raises
    ScoringNotOpen while the course's minimum study time has not passed since then."""
    learner = learner_for(learner_token)
    now = utcnow()
    opened_at = first_opened(learner.id, version.course_id)
    if opened_at is None:  # a quiz posted without its pages seen: the clock starts now
        opened_at = now
        record_opening(learner.id, version.course_id, None, now)
        db.session.commit()  # kept when refused below: the next press counts from here
    gate = scoring_availability(
        minimum_minutes=version.spec.quiz_policy.minimum_minutes,
        first_opened_at=opened_at,
        now=now,
        zone=localtime.zone(),
    )
    if not gate.allowed:
        raise ScoringNotOpen(gate.reason)
    return opened_at


def _new_attempt(
    learner: Learner,
    version: CourseVersion,
    form_key: str,
    subject: str,
    number: int,
    result: Grade,
) -> Attempt:
    attempt = Attempt(
        public_id=secrets.token_urlsafe(16),
        form_key=form_key,
        learner=learner,
        course_id=version.course_id,
        version=version,
        subject=subject,
        number=number,
        correct=result.correct,
        total=result.total,
        percent=result.percent,
        passed=result.passed,
        submitted_at=utcnow(),
    )
    db.session.add(attempt)
    return attempt


def _answer_rows(attempt_id: int, result: Grade) -> list[dict]:
    """The attempt's answers as rows to insert, in the order the form showed them."""
    return [
        {
            "attempt_id": attempt_id,
            "item_id": r.item_id,
            "position": position,
            "chosen": r.chosen,
            "correct": r.correct,
        }
        for position, r in enumerate(result.items, start=1)
    ]


def attempt_for(public_id: str, learner: Learner | None) -> Attempt | None:
    """The attempt at `public_id`, only for the learner who made it."""
    if learner is None:
        return None
    return db.session.scalar(
        sa.select(Attempt).where(Attempt.public_id == public_id, Attempt.learner_id == learner.id)
    )
