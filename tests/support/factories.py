"""Factories: records made quickly for a test, without pages.

Data is made the way the site makes it (the quiz, evaluation and reflection services the
views call), so the running totals the reports read are kept as they are in production.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from ceengine.certificates.models import Certificate
from ceengine.certificates.numbers import new_certificate_number
from ceengine.columns import utcnow
from ceengine.courses.models import Course, CourseVersion
from ceengine.courses.services import current_version
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, Reflection
from ceengine.feedback.services import EvaluationAnswers, post_reflection, save_evaluation
from ceengine.learners.identity import learner_for
from ceengine.learners.models import Learner
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.services import needs_confirmation, new_form_key, submit_attempt


def course_id(slug: str) -> int:
    """The id of a course, by its slug."""
    return db.session.scalar(sa.select(Course.id).where(Course.slug == slug))


def version_of(slug: str) -> CourseVersion:
    """The current version of a course."""
    version = current_version(slug)
    assert version is not None, slug
    return version


def new_learner() -> Learner:
    """A learner as their first quiz would create one."""
    learner = learner_for(secrets.token_urlsafe(24))
    db.session.commit()
    return learner


def attempt_with(slug: str, right: Sequence[bool], when: datetime | None = None) -> Attempt:
    """A new learner's attempt, answering item n right when right[n] (in the quiz's order).

    `when` back-dates it; call `recount_totals()` afterwards so the totals follow.
    """
    version = version_of(slug)
    items = list(version.items)
    assert len(right) == len(items), f"{slug} has {len(items)} items"
    responses = {
        item.id: item.answer if ok else next(o for o in item.options if o != item.answer)
        for item, ok in zip(items, right, strict=True)
    }
    token = secrets.token_urlsafe(24)
    if needs_confirmation(version):  # the course counts attempts per confirmed address
        learner = learner_for(token)
        learner.email_key, learner.confirmed_at = f"{token.lower()}@example.org", utcnow()
        db.session.commit()
    attempt = submit_attempt(token, version, new_form_key(), responses)
    if when is not None:  # the course was opened as long before as it was just now
        attempt.opened_at = when - (attempt.submitted_at - attempt.opened_at)
        attempt.submitted_at = when
        db.session.commit()
    return attempt


def evaluation_with(
    slug: str,
    rating: int,
    objectives: Sequence[int] | None = None,
    relevance: int = 3,
    presenter: int = 3,
    recommend: bool = True,
    comments: str = "",
    when: datetime | None = None,
) -> Evaluation:
    """A new learner's evaluation of a course (`when`: back-date it, then recount)."""
    version = version_of(slug)
    objectives = tuple(objectives or (3,) * len(version.content["objectives"]))
    evaluation = save_evaluation(
        new_learner(),
        version,
        EvaluationAnswers(
            rating=rating,
            objectives=objectives,
            relevance=relevance,
            presenter_knowledge=presenter,
            recommend=recommend,
            comments=comments,
        ),
    )
    if when is not None:
        evaluation.updated_at = evaluation.created_at = when
        db.session.commit()
    return evaluation


def reflection_with(slug: str, name: str, body: str) -> Reflection:
    """A new learner's reflection, waiting for moderation."""
    reflection, _ = post_reflection(
        new_learner(), version_of(slug), secrets.token_urlsafe(18), name, body
    )
    return reflection


def certificate_row(
    attempt: Attempt,
    full_name: str = "Kim Lee",
    email: str = "kim@example.org",
    edition: int = 1,
    issued_at: datetime | None = None,
    **details,
) -> Certificate:
    """A certificate row for a passed attempt, stored directly (no PDF is rendered)."""
    version = attempt.version
    pdf = b"%PDF-1.7 placeholder " + secrets.token_bytes(8)
    certificate = Certificate(
        number=new_certificate_number(),
        attempt_id=attempt.id,
        edition=edition,
        learner_id=attempt.learner_id,
        course_id=attempt.course_id,
        version_id=version.id,
        full_name=full_name,
        email=email,
        email_key=email.lower(),
        course_title=version.title,
        ce_hours=version.ce_hours,
        completed_at=attempt.submitted_at,
        score_percent=attempt.percent,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=issued_at or datetime.now(UTC),
        **details,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def rows_of(model) -> list:
    """Every row of a model, by id."""
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


def at(day: str, hour: int = 12) -> datetime:
    """A UTC moment on an ISO day."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
