"""Item analysis from running sums agrees with the statistics worked out from raw answers."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceengine.admin.item_analysis import (
    ItemSums,
    VersionSums,
    discrimination,
    flag,
    share_correct,
)

RIGHT = "Nearly everyone gets this right"
WRONG = "Nearly everyone misses this"
WEAK = "Does not separate strong from weak attempts"


def sums_of(matrix: list[list[int]], item: int) -> tuple[ItemSums, VersionSums]:
    """The running sums the app keeps, for one item of a version, from rows of 0/1 answers."""
    scores = [sum(row) for row in matrix]
    version = VersionSums(len(matrix), sum(scores), sum(s * s for s in scores))
    right = [row[item] for row in matrix]
    return ItemSums(
        len(matrix), sum(right), sum(s for s, x in zip(scores, right, strict=True) if x)
    ), version


def corrected_item_total(matrix: list[list[int]], item: int) -> float | None:
    """statistics.correlation of the item (0/1) with the score on the other items."""
    x = [row[item] for row in matrix]
    rest = [sum(row) - row[item] for row in matrix]
    try:
        return statistics.correlation(x, rest)
    except statistics.StatisticsError:  # one of them is constant: undefined
        return None


@st.composite
def answer_matrices(draw):
    """Attempts (rows) at a quiz of 1-10 items, each answered right (1) or wrong (0)."""
    items = draw(st.integers(min_value=1, max_value=10))
    attempts = draw(st.integers(min_value=2, max_value=40))
    row = st.lists(st.integers(0, 1), min_size=items, max_size=items)
    matrix = draw(st.lists(row, min_size=attempts, max_size=attempts))
    return matrix, draw(st.integers(0, items - 1))


@given(answer_matrices())
def test_discrimination_is_the_corrected_item_total_correlation(case):
    matrix, item = case
    item_sums, version = sums_of(matrix, item)

    index = discrimination(item_sums, version)
    expected = corrected_item_total(matrix, item)

    if expected is None:
        assert index is None
    else:
        assert index is not None
        assert math.isclose(index, expected, rel_tol=1e-9, abs_tol=1e-9)
        assert -1 - 1e-12 <= index <= 1 + 1e-12


@given(answer_matrices())
def test_share_correct_is_the_share_of_attempts_right(case):
    matrix, item = case
    item_sums, _ = sums_of(matrix, item)

    assert share_correct(item_sums) == sum(row[item] for row in matrix) / len(matrix)


@pytest.mark.parametrize("right", [0, 1], ids=["everyone-wrong", "everyone-right"])
def test_discrimination_is_none_when_everyone_answers_alike(right):
    matrix = [[right, 1, 0], [right, 0, 0], [right, 1, 1], [right, 0, 1]]

    assert discrimination(*sums_of(matrix, 0)) is None


def test_discrimination_is_none_when_the_other_scores_are_all_the_same():
    matrix = [[1, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 0]]  # one other item right each time

    assert discrimination(*sums_of(matrix, 0)) is None


def test_discrimination_of_a_perfect_item_is_one_and_of_a_reversed_item_minus_one():
    strong = [[1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]]
    reversed_ = [[0, 1, 1], [0, 1, 1], [1, 0, 0], [1, 0, 0]]

    assert math.isclose(discrimination(*sums_of(strong, 0)), 1.0)
    assert math.isclose(discrimination(*sums_of(reversed_, 0)), -1.0)


def test_discrimination_needs_two_attempts_that_all_answered_the_item():
    assert discrimination(ItemSums(1, 1, 3), VersionSums(1, 3, 9)) is None
    # the item was added later: 3 of 4 attempts saw it, so the sums do not line up
    assert discrimination(ItemSums(3, 2, 5), VersionSums(4, 8, 20)) is None


def test_share_correct_of_an_item_nobody_answered_is_none():
    assert share_correct(ItemSums(0, 0, 0)) is None


@pytest.mark.parametrize(
    "share, index, expected",
    [
        (None, None, ""),
        (None, -0.5, ""),
        (1.0, None, RIGHT),
        (0.95, 0.5, RIGHT),  # the threshold itself is flagged
        (0.9499, 0.5, ""),
        (0.0, None, WRONG),
        (0.20, 0.5, WRONG),
        (0.2001, 0.5, ""),
        (0.5, 0.0999, WEAK),
        (0.5, -0.4, WEAK),
        (0.5, 0.10, ""),
        (0.5, None, ""),  # undefined discrimination is not called weak
        (0.96, -0.9, RIGHT),  # the share's flag comes first
        (0.1, -0.9, WRONG),
    ],
)
def test_flags_and_their_thresholds(share, index, expected):
    assert flag(share, index) == expected
