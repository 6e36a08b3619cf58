"""Rebuild every running total from the stored rows, in SQL, in one transaction."""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.extensions import db
from ceengine.feedback.models import (
    Evaluation,
    EvaluationTally,
    ObjectiveScore,
    RatingTotal,
    RatingVote,
)
from ceengine.feedback.votes import rebuild_votes
from ceengine.quizzes.models import Attempt, AttemptAnswer, ItemResultTally, VersionResultTally
from ceengine.rollups import current_dialect, sql_day


def _as_int(condition):
    return sa.case((condition, 1), else_=0)


def _evaluation_answers(day) -> list[sa.Select]:
    e = Evaluation
    selects = [
        sa.select(e.version_id, day, sa.literal(question), answer, sa.func.count())
        .group_by(e.version_id, day, answer)
        for question, answer in (("rating", e.rating), ("relevance", e.relevance),
                                 ("presenter_knowledge", e.presenter_knowledge),
                                 ("recommend", _as_int(e.recommend)))]
    question = sa.literal("objective-") + sa.cast(ObjectiveScore.position, sa.String)
    selects.append(
        sa.select(e.version_id, day, question, ObjectiveScore.score, sa.func.count())
        .join(ObjectiveScore, ObjectiveScore.evaluation_id == e.id)
        .group_by(e.version_id, day, question, ObjectiveScore.score))
    return selects


def recount_totals() -> dict[str, int]:
    """Replace the running totals with sums over the stored evaluations and attempts.

    The public rating's votes are chosen again from the evaluations and certificates.
    """
    dialect = current_dialect()
    tables = (RatingTotal, RatingVote, EvaluationTally, VersionResultTally, ItemResultTally)
    if dialect == "postgresql":  # quizzes scored meanwhile wait, instead of being lost
        names = ", ".join(model.__tablename__ for model in tables)
        db.session.execute(sa.text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for model in tables:
        db.session.execute(sa.delete(model))
    rebuild_votes()
    day = sql_day(Evaluation.updated_at, dialect)
    for select in _evaluation_answers(day):
        db.session.execute(sa.insert(EvaluationTally).from_select(
            ["version_id", "day", "question", "answer", "responses"], select))
    a = Attempt
    day = sql_day(a.submitted_at, dialect)
    db.session.execute(sa.insert(VersionResultTally).from_select(
        ["version_id", "day", "attempts", "passed", "percent_sum", "score_sum", "score_squares"],
        sa.select(a.version_id, day, sa.func.count(), sa.func.sum(_as_int(a.passed)),
                  sa.func.sum(a.percent), sa.func.sum(a.correct),
                  sa.func.sum(a.correct * a.correct))
        .group_by(a.version_id, day)))
    answer = AttemptAnswer
    db.session.execute(sa.insert(ItemResultTally).from_select(
        ["item_id", "day", "answered", "correct", "correct_score_sum"],
        sa.select(answer.item_id, day, sa.func.count(), sa.func.sum(_as_int(answer.correct)),
                  sa.func.sum(sa.case((answer.correct, a.correct), else_=0)))
        .join(a, a.id == answer.attempt_id).group_by(answer.item_id, day)))
    db.session.commit()
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (RatingTotal, RatingVote, EvaluationTally, VersionResultTally,
                          ItemResultTally)}
