"""The evaluations' running totals: every answer counted by question and day as evaluations
are saved or revised, and rebuilt from the stored evaluations by `ceengine admin recount`
(ceengine/rollups.py says why they exist). The public rating line's votes and totals are
kept and rebuilt in ceengine/feedback/votes.py."""

from __future__ import annotations

from datetime import date

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
from ceengine.rollups import add_to_totals, current_dialect, day_of, sql_day, take_from_totals

QUESTIONS = ("rating", "relevance", "presenter_knowledge", "recommend")
OBJECTIVE_QUESTION = "objective-"  # followed by the objective's position, from 1
TALLY_KEY = ("question", "version_id", "day", "answer")
TOTALS = (RatingTotal, RatingVote, EvaluationTally)  # the tables recount_feedback_totals rebuilds


def _tally_rows(evaluation: Evaluation) -> list[dict]:
    day = day_of(evaluation.updated_at)
    answers = [(q, int(getattr(evaluation, q))) for q in QUESTIONS]
    answers += [(f"{OBJECTIVE_QUESTION}{o.position}", o.score) for o in evaluation.objectives]
    return [
        {
            "question": question,
            "version_id": evaluation.version_id,
            "day": day,
            "answer": answer,
            "responses": 1,
        }
        for question, answer in answers
    ]


def count_evaluation(evaluation: Evaluation) -> None:
    """Add this evaluation's answers to the admin's running totals (every response)."""
    add_to_totals(EvaluationTally.__table__, TALLY_KEY, _tally_rows(evaluation))


def uncount_evaluation(evaluation: Evaluation) -> None:
    """Take this evaluation's answers back out of the running totals (before a revision)."""
    take_from_totals(EvaluationTally.__table__, TALLY_KEY, _tally_rows(evaluation))


def _answer_counts(day: sa.ColumnElement[date]) -> list[sa.Select]:
    """(version, day, question, answer, responses) in SQL, one select per kind of question."""
    e = Evaluation
    selects = [
        sa.select(e.version_id, day, sa.literal(question), answer, sa.func.count()).group_by(
            e.version_id, day, answer
        )
        for question, answer in ((q, sa.cast(getattr(e, q), sa.Integer)) for q in QUESTIONS)
    ]
    question = sa.literal(OBJECTIVE_QUESTION) + sa.cast(ObjectiveScore.position, sa.String)
    selects.append(
        sa.select(e.version_id, day, question, ObjectiveScore.score, sa.func.count())
        .join(ObjectiveScore, ObjectiveScore.evaluation_id == e.id)
        .group_by(e.version_id, day, question, ObjectiveScore.score)
    )
    return selects


def recount_feedback_totals() -> None:
    """Replace the evaluation totals with the same counts, in SQL, over every stored
    evaluation, and choose the public rating's votes again (`rebuild_votes`).

    The caller holds the locks and commits.
    """
    db.session.execute(sa.delete(EvaluationTally))
    rebuild_votes()
    day = sql_day(Evaluation.updated_at, current_dialect())
    for select in _answer_counts(day):
        db.session.execute(
            sa.insert(EvaluationTally).from_select(
                ["version_id", "day", "question", "answer", "responses"], select
            )
        )
