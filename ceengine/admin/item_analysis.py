"""Item analysis from running sums: difficulty (share right) and discrimination.

The discrimination index is the corrected item-total correlation: the point-biserial
correlation between getting this item right (1 or 0) and the score on the *other* items.
It runs from -1 to 1; above 0.3 an item separates strong from weak attempts well, below 0.1
it barely does, and below 0 the weaker attempts get it right more often than the stronger.
Everything comes from sums kept per item and per version, so no attempt rows are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NEARLY_ALL_RIGHT = 0.95
NEARLY_ALL_WRONG = 0.20
WEAK_DISCRIMINATION = 0.10
FEWEST_TO_FLAG = 5  # below this, a share of 100% or 0% says nothing about the item


@dataclass(frozen=True)
class VersionSums:
    """Per version: attempts n, and the sum and sum of squares of their scores."""

    attempts: int
    score_sum: int
    score_squares: int


@dataclass(frozen=True)
class ItemSums:
    """Per item: attempts that answered it, that got it right, and their scores' sum."""

    answered: int
    correct: int
    correct_score_sum: int


def share_correct(item: ItemSums) -> float | None:
    """The share of attempts answering the item correctly (its difficulty index)."""
    return item.correct / item.answered if item.answered else None


def discrimination(item: ItemSums, version: VersionSums) -> float | None:
    """The corrected item-total (point-biserial) correlation; None when it is undefined."""
    n = version.attempts
    if n < 2 or item.answered != n:
        return None
    sum_x = item.correct
    sum_xt = item.correct_score_sum
    sum_r = version.score_sum - sum_x  # rest score R = T - X
    sum_rr = version.score_squares - 2 * sum_xt + sum_x
    sum_xr = sum_xt - sum_x
    spread = (n * sum_x - sum_x * sum_x) * (n * sum_rr - sum_r * sum_r)
    if spread <= 0:
        return None  # everyone right, everyone wrong, or every other score the same
    return (n * sum_xr - sum_x * sum_r) / math.sqrt(spread)


def flag(share: float | None, index: float | None, answered: int | None = None) -> str:
    """A plain-words warning for an item worth a second look, or ''."""
    if share is None or (answered is not None and answered < FEWEST_TO_FLAG):
        return ""
    if share >= NEARLY_ALL_RIGHT:
        return "Nearly everyone gets this right"
    if share <= NEARLY_ALL_WRONG:
        return "Nearly everyone misses this"
    if index is not None and index < WEAK_DISCRIMINATION:
        return "Does not separate strong from weak attempts"
    return ""
