"""The quiz results' running totals: added to as each attempt is scored, and rebuilt from the
stored attempts by `ceengine admin recount` (ceengine/rollups.py says why they exist)."""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.extensions import db
from ceengine.quizzes.models import Attempt, AttemptAnswer, ItemResultTally, VersionResultTally
from ceengine.rollups import add_to_totals, current_dialect, day_of, sql_day

TOTALS = (VersionResultTally, ItemResultTally)  # the tables below keep and rebuild


def count_attempt(attempt: Attempt, answers: list[dict]) -> None:
    """Add a new attempt and its answers (rows with `item_id` and `correct`) to the running
    totals the results pages read."""
    day, score = day_of(attempt.submitted_at), attempt.correct
    add_to_totals(
        VersionResultTally.__table__,
        ("version_id", "day"),
        [
            {
                "version_id": attempt.version_id,
                "day": day,
                "attempts": 1,
                "passed": int(attempt.passed),
                "percent_sum": attempt.percent,
                "score_sum": score,
                "score_squares": score * score,
            }
        ],
    )
    add_to_totals(
        ItemResultTally.__table__,
        ("item_id", "day"),
        [
            {
                "item_id": answer["item_id"],
                "day": day,
                "answered": 1,
                "correct": int(answer["correct"]),
                "correct_score_sum": score if answer["correct"] else 0,
            }
            for answer in answers
        ],
    )


def _one_if(condition: sa.ColumnElement[bool]) -> sa.Case[int]:
    return sa.case((condition, 1), else_=0)


def recount_attempt_totals() -> None:
    """Replace the results totals with the same sums, in SQL, over every stored attempt.

    The caller holds the locks and commits.
    """
    a, answer = Attempt, AttemptAnswer
    day = sql_day(a.submitted_at, current_dialect())
    for model in TOTALS:
        db.session.execute(sa.delete(model))
    db.session.execute(
        sa.insert(VersionResultTally).from_select(
            [
                "version_id",
                "day",
                "attempts",
                "passed",
                "percent_sum",
                "score_sum",
                "score_squares",
            ],
            sa.select(
                a.version_id,
                day,
                sa.func.count(),
                sa.func.sum(_one_if(a.passed)),
                sa.func.sum(a.percent),
                sa.func.sum(a.correct),
                sa.func.sum(a.correct * a.correct),
            ).group_by(a.version_id, day),
        )
    )
    db.session.execute(
        sa.insert(ItemResultTally).from_select(
            ["item_id", "day", "answered", "correct", "correct_score_sum"],
            sa.select(
                answer.item_id,
                day,
                sa.func.count(),
                sa.func.sum(_one_if(answer.correct)),
                sa.func.sum(sa.case((answer.correct, a.correct), else_=0)),
            )
            .join(a, a.id == answer.attempt_id)
            .group_by(answer.item_id, day),
        )
    )
