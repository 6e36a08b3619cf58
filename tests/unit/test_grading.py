"""Scoring is pure and exact: properties that must hold for every quiz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceengine.quizzes.grading import InvalidResponse, ItemKey, grade, passes, percent_of
from ceengine.quizzes.policy import attempt_availability

TF = ("True", "False")


@st.composite
def quizzes(draw):
    """A quiz key and a complete set of responses to it."""
    count = draw(st.integers(min_value=1, max_value=40))
    keys, responses = [], {}
    for item_id in range(1, count + 1):
        kind = "true_false" if draw(st.booleans()) else "multiple_choice"
        options = (
            TF
            if kind == "true_false"
            else tuple(f"Option {n}" for n in range(draw(st.integers(2, 6))))
        )
        answer = draw(st.sampled_from(options))
        keys.append(ItemKey(item_id, options, answer, kind))
        responses[item_id] = draw(st.sampled_from(options))
    return keys, responses


@given(quizzes(), st.integers(min_value=1, max_value=100))
def test_score_is_the_number_of_correct_answers(quiz, threshold):
    keys, responses = quiz
    result = grade(keys, responses, threshold)
    expected = sum(responses[k.id] == k.answer for k in keys)
    assert result.correct == expected
    assert result.total == len(keys)
    assert [r.correct for r in result.items] == [responses[k.id] == k.answer for k in keys]


@given(quizzes(), st.integers(min_value=1, max_value=100))
def test_pass_decision_matches_the_exact_ratio(quiz, threshold):
    keys, responses = quiz
    result = grade(keys, responses, threshold)
    assert result.passed == (result.correct / result.total >= threshold / 100 - 1e-12)


@given(st.integers(1, 500), st.integers(1, 100))
def test_percentage_is_rounded_down_and_never_shows_a_fail_as_a_pass(total, threshold):
    for correct in range(total + 1):
        shown = percent_of(correct, total)
        assert shown <= correct * 100 / total < shown + 1
        assert (shown >= threshold) == passes(correct, total, threshold)


@pytest.mark.parametrize(
    "correct, total, threshold, passed",
    [
        (6, 8, 75, True),
        (5, 8, 75, False),
        (3, 4, 75, True),
        (8, 8, 100, True),
        (7, 8, 100, False),
        (0, 8, 1, False),
        (1, 100, 1, True),
    ],
)
def test_exactly_at_the_threshold_passes(correct, total, threshold, passed):
    assert passes(correct, total, threshold) is passed


def test_percent_examples():
    assert percent_of(6, 8) == 75
    assert percent_of(2, 3) == 66
    assert percent_of(0, 5) == 0 and percent_of(5, 5) == 100


def test_unknown_items_and_options_are_refused():
    keys = [ItemKey(1, TF, "True", "true_false"), ItemKey(2, TF, "False", "true_false")]
    with pytest.raises(InvalidResponse):
        grade(keys, {1: "True", 2: "False", 3: "True"}, 75)
    with pytest.raises(InvalidResponse):
        grade(keys, {1: "True", 2: "Maybe"}, 75)
    with pytest.raises(InvalidResponse):
        grade(keys, {1: "True"}, 75)


NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_unlimited_attempts_are_always_allowed():
    result = attempt_availability(
        max_attempts=None, wait_minutes=0, attempts_used=50, last_attempt_at=NOW, now=NOW
    )
    assert result.allowed and result.attempts_left is None


def test_the_attempt_limit_is_explained():
    result = attempt_availability(
        max_attempts=2, wait_minutes=0, attempts_used=2, last_attempt_at=NOW, now=NOW
    )
    assert not result.allowed
    assert result.reason == "You have used all 2 attempts this course allows."
    assert (
        attempt_availability(
            max_attempts=2, wait_minutes=0, attempts_used=1, last_attempt_at=NOW, now=NOW
        ).attempts_left
        == 1
    )


def test_the_waiting_time_is_explained_and_ends():
    last = NOW - timedelta(minutes=20)
    waiting = attempt_availability(
        max_attempts=None, wait_minutes=60, attempts_used=1, last_attempt_at=last, now=NOW
    )
    assert not waiting.allowed
    assert "wait 60 minutes between attempts" in waiting.reason
    assert "try again in 40 minutes" in waiting.reason
    assert waiting.retry_at == last + timedelta(minutes=60)
    later = attempt_availability(
        max_attempts=None,
        wait_minutes=60,
        attempts_used=1,
        last_attempt_at=last,
        now=NOW + timedelta(minutes=40),
    )
    assert later.allowed
