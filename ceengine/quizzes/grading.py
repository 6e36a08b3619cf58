"""Scoring a quiz: pure functions, no Flask, no database.

The pass decision uses exact integer arithmetic: an attempt passes when
``correct / total >= threshold / 100``, so a score exactly at the threshold passes.
The percentage shown is rounded *down* to a whole number, so a failing score is
never displayed as the pass mark (74.9% shows as 74%, not 75%).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ceengine.courses.items import item_type


@dataclass(frozen=True)
class ItemKey:
    """What grading needs to know about one item."""

    id: int
    options: tuple[str, ...]
    answer: str
    kind: str  # its item type's name: which answers it accepts and which one is right


@dataclass(frozen=True)
class ItemResult:
    """How one response compares with the key."""

    item_id: int
    chosen: str
    correct: bool


@dataclass(frozen=True)
class Grade:
    """The outcome of one attempt."""

    correct: int
    total: int
    percent: int
    passed: bool
    items: tuple[ItemResult, ...]


class InvalidResponse(ValueError):
    """A response that no honest form could send (unknown item or option)."""


def percent_of(correct: int, total: int) -> int:
    """Whole percentage, rounded down."""
    return correct * 100 // total


def passes(correct: int, total: int, threshold: int) -> bool:
    """Whether `correct` of `total` reaches `threshold` percent (exactly at it passes)."""
    return correct * 100 >= threshold * total


def grade(keys: Sequence[ItemKey], responses: Mapping[int, str], threshold: int) -> Grade:
    """Score complete responses (item id -> submitted answer) against the key.

    Each item's type turns the submitted value into the answer it stands for and says
    whether that answer is right; the results hold the answers as the types give them.
    """
    if not keys:
        raise ValueError("a quiz needs at least one item")
    known = {key.id for key in keys}
    unknown = set(responses) - known
    if unknown:
        raise InvalidResponse(f"answers for items not in this quiz: {sorted(unknown)}")
    results = []
    for key in keys:
        if key.id not in responses:
            raise InvalidResponse(f"item {key.id} has no answer")
        kind = item_type(key.kind)
        chosen = kind.normalise(key.options, responses[key.id])
        if chosen is None:
            raise InvalidResponse(f"'{responses[key.id]}' is not an option of item {key.id}")
        results.append(ItemResult(key.id, chosen, kind.is_right(key.answer, chosen)))
    correct = sum(result.correct for result in results)
    total = len(keys)
    return Grade(
        correct,
        total,
        percent_of(correct, total),
        passes(correct, total, threshold),
        tuple(results),
    )
