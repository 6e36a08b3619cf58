"""Who votes on the public rating line: certified addresses, one vote each.

The rule, for one course:
- a learner's *address* is the email on their latest valid certificate for the course
  (revoked and superseded editions do not count; a learner without one has no address);
- an address's *vote* is the latest evaluation (by when it was last saved) among the
  learners whose address it is — so one evaluation counts at most once, and an address that
  several cookies share counts once;
- the public line (`RatingTotal`) sums the votes.

`RatingVote` keeps each address's vote; it is brought up to date for the addresses a change
touches, in the transaction of the evaluation or certificate that changed, and `ceengine
admin recount` rebuilds it from the stored rows with the same rule (`rebuild_votes`).
"""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.certificates import models as certificate_models
from ceengine.certificates.signals import certificate_changed
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, RatingTotal, RatingVote
from ceengine.rollups import add_to_totals

COUNTED, CERTIFIED, UNCERTIFIED = "counted", "certified", "uncertified"


def _certificates():
    """The Certificate model and its VALID status, read from their module when used.

    certificates.models may still be loading when this module is imported (it imports
    courses and quizzes, whose packages load the pages that load this module), so the module
    is imported here and its names are read at call time.
    """
    return certificate_models.Certificate, certificate_models.VALID


def _addresses(course_id: int, learner_ids: set[int]) -> dict[int, str]:
    """Each learner's address for the course: the email on their latest valid certificate."""
    Certificate, VALID = _certificates()
    if not learner_ids:
        return {}
    rows = db.session.execute(
        sa.select(Certificate.learner_id, Certificate.email_key)
        .where(
            Certificate.course_id == course_id,
            Certificate.learner_id.in_(learner_ids),
            Certificate.status == VALID,
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    found: dict[int, str] = {}
    for learner_id, key in rows:
        found.setdefault(learner_id, key)
    return found


def _vote_of(course_id: int, key: str) -> tuple[int, int] | None:
    """(evaluation id, stars) of the evaluation that is this address's vote, if any."""
    Certificate, VALID = _certificates()
    holders = set(
        db.session.scalars(
            sa.select(Certificate.learner_id)
            .distinct()
            .where(
                Certificate.course_id == course_id,
                Certificate.email_key == key,
                Certificate.status == VALID,
            )
        )
    )
    voters = [
        learner for learner, address in _addresses(course_id, holders).items() if address == key
    ]
    if not voters:
        return None
    row = db.session.execute(
        sa.select(Evaluation.id, Evaluation.rating)
        .where(Evaluation.course_id == course_id, Evaluation.learner_id.in_(voters))
        .order_by(Evaluation.updated_at.desc(), Evaluation.id.desc())
        .limit(1)
    ).first()
    return (row.id, row.rating) if row else None


def update_votes(learner_id: int, course_id: int, keys: set[str] | None = None) -> None:
    """Bring the votes up to date after this learner's evaluation or certificate changed.

    The addresses a change can touch: the learner's address now, the address their
    evaluation counted under until now, and `keys` (a changed certificate's address).
    Call inside the transaction of the change; the caller commits.
    """
    # The course's total row first, as save_evaluation does: vote changes for one course take
    # turns (a row lock on PostgreSQL, the write lock on SQLite), so each reads fresh rows.
    add_to_totals(
        RatingTotal.__table__, ("course_id",), [{"course_id": course_id, "votes": 0, "stars": 0}]
    )
    db.session.flush()
    affected = set(keys or ())
    affected.update(_addresses(course_id, {learner_id}).values())
    affected.update(
        db.session.scalars(
            sa.select(RatingVote.email_key)
            .join(Evaluation, Evaluation.id == RatingVote.evaluation_id)
            .where(RatingVote.course_id == course_id, Evaluation.learner_id == learner_id)
        )
    )
    if not affected:
        return
    table = RatingVote.__table__
    old = {
        key: (evaluation_id, stars)
        for key, evaluation_id, stars in db.session.execute(
            sa.select(table.c.email_key, table.c.evaluation_id, table.c.stars).where(
                table.c.course_id == course_id, table.c.email_key.in_(affected)
            )
        )
    }
    new = {key: vote for key in sorted(affected) if (vote := _vote_of(course_id, key))}
    changed = sorted(key for key in affected if old.get(key) != new.get(key))
    if not changed:
        return
    # Deletes before inserts: an evaluation moving to another address stays unique.
    db.session.execute(
        sa.delete(table).where(table.c.course_id == course_id, table.c.email_key.in_(changed))
    )
    inserts = [
        {
            "course_id": course_id,
            "email_key": key,
            "evaluation_id": new[key][0],
            "stars": new[key][1],
        }
        for key in changed
        if key in new
    ]
    if inserts:
        db.session.execute(sa.insert(table), inserts)
    votes = sum(1 for key in changed if key in new) - sum(1 for key in changed if key in old)
    stars = sum(new[key][1] for key in changed if key in new) - sum(
        old[key][1] for key in changed if key in old
    )
    db.session.execute(
        sa.update(RatingTotal)
        .where(RatingTotal.course_id == course_id)
        .values(votes=RatingTotal.votes + votes, stars=RatingTotal.stars + stars)
    )


def _on_certificate_changed(certificate: certificate_models.Certificate, **_extra: object) -> None:
    """A certificate was issued, revoked or reissued: its learner's vote may move."""
    update_votes(certificate.learner_id, certificate.course_id, {certificate.email_key})


def subscribe() -> None:
    """Follow certificate changes (called once the feedback blueprint is registered)."""
    certificate_changed.connect(_on_certificate_changed)


def rebuild_votes() -> None:
    """Replace every vote and the public totals with the rule applied to the stored rows.

    Window functions (PostgreSQL, SQLite 3.25+) pick each learner's latest valid certificate,
    then each address's latest evaluation; the caller holds the locks and commits.
    """
    (c, VALID), e = _certificates(), Evaluation
    latest = sa.func.row_number().over(
        partition_by=(c.learner_id, c.course_id), order_by=(c.issued_at.desc(), c.id.desc())
    )
    addresses = (
        sa.select(c.learner_id, c.course_id, c.email_key, latest.label("n"))
        .where(c.status == VALID)
        .subquery()
    )
    newest = sa.func.row_number().over(
        partition_by=(e.course_id, addresses.c.email_key),
        order_by=(e.updated_at.desc(), e.id.desc()),
    )
    ranked = (
        sa.select(
            e.course_id,
            addresses.c.email_key,
            e.id.label("evaluation_id"),
            e.rating.label("stars"),
            newest.label("n"),
        )
        .join(
            addresses,
            sa.and_(
                addresses.c.learner_id == e.learner_id,
                addresses.c.course_id == e.course_id,
                addresses.c.n == 1,
            ),
        )
        .subquery()
    )
    db.session.execute(sa.delete(RatingVote))
    db.session.execute(sa.delete(RatingTotal))
    db.session.execute(
        sa.insert(RatingVote).from_select(
            ["course_id", "email_key", "evaluation_id", "stars"],
            sa.select(
                ranked.c.course_id, ranked.c.email_key, ranked.c.evaluation_id, ranked.c.stars
            ).where(ranked.c.n == 1),
        )
    )
    db.session.execute(
        sa.insert(RatingTotal).from_select(
            ["course_id", "votes", "stars"],
            sa.select(
                RatingVote.course_id, sa.func.count(), sa.func.sum(RatingVote.stars)
            ).group_by(RatingVote.course_id),
        )
    )


def vote_status(evaluations: list[Evaluation]) -> dict[int, str]:
    """For the admin: whether each evaluation counts on the public line (COUNTED), comes from
    a certified learner but is not the vote of their address (CERTIFIED), or not (UNCERTIFIED)."""
    if not evaluations:
        return {}
    Certificate, VALID = _certificates()
    ids = [evaluation.id for evaluation in evaluations]
    counted = set(
        db.session.scalars(
            sa.select(RatingVote.evaluation_id).where(RatingVote.evaluation_id.in_(ids))
        )
    )
    pairs = {(evaluation.learner_id, evaluation.course_id) for evaluation in evaluations}
    certified = {
        tuple(row)
        for row in db.session.execute(
            sa.select(Certificate.learner_id, Certificate.course_id)
            .distinct()
            .where(
                Certificate.status == VALID,
                Certificate.learner_id.in_({learner for learner, _ in pairs}),
                Certificate.course_id.in_({course for _, course in pairs}),
            )
        )
    }
    return {
        evaluation.id: COUNTED
        if evaluation.id in counted
        else CERTIFIED
        if (evaluation.learner_id, evaluation.course_id) in certified
        else UNCERTIFIED
        for evaluation in evaluations
    }
