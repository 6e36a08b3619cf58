"""Records retention: remove learner data older than a date, never inside the retention period.

Boards require completion records to be kept for years (California BBS: 4 years, 16 CCR
1887.12), so nothing in ceengine deletes them on its own. `ceengine admin purge --before DATE`
removes, for everything dated before DATE: attempts and their answers, the certificates issued
for them (every edition), their orders, evaluations, reflections, queued or sent emails, email
confirmations, sign-in sessions, and learners left with nothing. It refuses a DATE inside the
retention period (`CEENGINE_RECORDS_RETENTION_YEARS`, default 4). A dry run (the default) does
the same deletes in a transaction and rolls it back, so its counts are exactly what `--yes`
removes. Running totals (ratings, results) hold no personal data and are left as they are.
A purge that removes is in the audit trail (what it removed, by whom), in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ceengine.admin.models import CeBrokerReport
from ceengine.audit import trail as audit
from ceengine.billing.models import CheckoutSession, Order, PaymentProblem
from ceengine.certificates.models import Certificate
from ceengine.certificates.transcript_sessions import TranscriptSession
from ceengine.courses.models import CourseOpening
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, ObjectiveScore, RatingVote, Reflection
from ceengine.learners.models import EmailConfirmation, Learner
from ceengine.localtime import start_of_day
from ceengine.outbox.models import OutboxMessage
from ceengine.quizzes.models import Attempt, AttemptAnswer


class PurgeRefused(Exception):
    """A purge that would remove records still inside the retention period."""


def retention_cutoff(today: date, years: int) -> date:
    """The earliest date whose records must still be kept: `years` before today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class PurgeCount:
    """How many rows of one kind a purge removes."""

    what: str
    rows: int


def _steps(before: datetime) -> list[tuple[str, sa.Delete]]:
    old_attempts = sa.select(Attempt.id).where(Attempt.submitted_at < before)
    old_orders = sa.select(Order.id).where(Order.attempt_id.in_(old_attempts))
    # An evaluation stays while its learner has a newer attempt at the course: the certificate
    # of that attempt (inside retention) rests on it.
    newer_attempt = sa.exists().where(
        Attempt.learner_id == Evaluation.learner_id,
        Attempt.course_id == Evaluation.course_id,
        Attempt.submitted_at >= before,
    )
    old_evaluations = sa.select(Evaluation.id).where(Evaluation.updated_at < before, ~newer_attempt)
    keeps_learner = [
        sa.select(Attempt.id).where(Attempt.learner_id == Learner.id),
        sa.select(Certificate.id).where(Certificate.learner_id == Learner.id),
        sa.select(Order.id).where(Order.learner_id == Learner.id),
        sa.select(Evaluation.id).where(Evaluation.learner_id == Learner.id),
        sa.select(Reflection.id).where(Reflection.learner_id == Learner.id),
        sa.select(CourseOpening.id).where(CourseOpening.learner_id == Learner.id),
    ]
    return [
        (
            "checkout sessions",
            sa.delete(CheckoutSession).where(CheckoutSession.order_id.in_(old_orders)),
        ),
        (
            "payment problems",
            sa.delete(PaymentProblem).where(PaymentProblem.order_id.in_(old_orders)),
        ),
        ("orders", sa.delete(Order).where(Order.id.in_(old_orders))),
        (
            "CE Broker report marks",
            sa.delete(CeBrokerReport).where(
                CeBrokerReport.certificate_id.in_(
                    sa.select(Certificate.id).where(Certificate.attempt_id.in_(old_attempts))
                )
            ),
        ),
        # Every edition at once: an edition points at the one that replaced it, and foreign
        # keys are checked at the end of the statement.
        ("certificates", sa.delete(Certificate).where(Certificate.attempt_id.in_(old_attempts))),
        (
            "quiz answers",
            sa.delete(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(old_attempts)),
        ),
        ("quiz attempts", sa.delete(Attempt).where(Attempt.id.in_(old_attempts))),
        ("", sa.delete(RatingVote).where(RatingVote.evaluation_id.in_(old_evaluations))),
        ("", sa.delete(ObjectiveScore).where(ObjectiveScore.evaluation_id.in_(old_evaluations))),
        ("evaluations", sa.delete(Evaluation).where(Evaluation.id.in_(old_evaluations))),
        ("reflections", sa.delete(Reflection).where(Reflection.created_at < before)),
        ("course openings", sa.delete(CourseOpening).where(CourseOpening.opened_at < before)),
        ("emails", sa.delete(OutboxMessage).where(OutboxMessage.created_at < before)),
        (
            "email confirmations",
            sa.delete(EmailConfirmation).where(EmailConfirmation.created_at < before),
        ),
        (
            "sign-in sessions",
            sa.delete(TranscriptSession).where(TranscriptSession.created_at < before),
        ),
        (
            "learners",
            sa.delete(Learner).where(
                Learner.created_at < before, *(~sa.exists(q) for q in keeps_learner)
            ),
        ),
    ]


def purge(before: date, today: date, retention_years: int, apply: bool) -> list[PurgeCount]:
    """Remove (with `apply`) or count (without) the learner data dated before `before`.

    Raises PurgeRefused when `before` is inside the retention period.
    """
    cutoff = retention_cutoff(today, retention_years)
    if before > cutoff:
        raise PurgeRefused(
            f"Records from {before.isoformat()} back to {cutoff.isoformat()} are inside the "
            f"{retention_years}-year retention period (CEENGINE_RECORDS_RETENTION_YEARS): "
            f"give a date on or before {cutoff.isoformat()}."
        )
    moment = start_of_day(before)  # the sponsor's day (CEENGINE_TIMEZONE)
    counts = []
    try:
        for what, statement in _steps(moment):
            rows = db.session.execute(statement).rowcount
            if what:
                counts.append(PurgeCount(what, rows))
    except BaseException:
        db.session.rollback()
        raise
    if apply:
        audit.record(
            "records_purged",
            f"before {before.isoformat()}",
            reason=f"records retention: {retention_years} years",
            after={count.what: count.rows for count in counts},
        )
        db.session.commit()
    else:
        db.session.rollback()
    return counts
