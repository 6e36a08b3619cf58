"""Certificate numbers: random, grouped, self-checking, forgiving of how people type them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ceengine.certificates.numbers import (
    ALPHABET,
    new_certificate_number,
    normalize_certificate_number,
)

SHAPE = re.compile(
    r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-"
    r"[0-9A-HJKMNP-TV-Z*~$=U]$"
)


def test_numbers_are_grouped_and_unique():
    numbers = {new_certificate_number() for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(SHAPE.match(n) for n in numbers)


def test_a_number_reads_back_as_itself():
    for _ in range(200):
        number = new_certificate_number()
        assert normalize_certificate_number(number) == number
        assert normalize_certificate_number(number.lower().replace("-", " ")) == number


def test_letters_that_look_like_digits_are_read_as_digits():
    number = next(n for n in iter(new_certificate_number, None) if "1" in n[:-1] and "0" in n[:-1])
    typed = number[:-1].replace("1", "l").replace("0", "O") + number[-1]
    assert typed != number
    assert normalize_certificate_number(typed) == number


@given(st.integers(0, 11), st.sampled_from(ALPHABET))
def test_any_single_mistyped_symbol_is_caught(position, replacement):
    number = new_certificate_number()
    body = number.replace("-", "")[:-1]
    if body[position] == replacement:
        return
    typo = body[:position] + replacement + body[position + 1 :] + number[-1]
    assert normalize_certificate_number(typo) is None


def test_garbage_is_not_a_number():
    for text in ["", "ABCD", "<script>", "7KQ2-M9XD-4HTR", "7KQ2-M9XD-4HTR-VV", "ÅÅÅÅ-ÅÅÅÅ-ÅÅÅÅ-Å"]:
        assert normalize_certificate_number(text) is None
