"""The shared input rules, without an app: what is tidied away and what is refused."""

from __future__ import annotations

import pytest
from wtforms.validators import ValidationError

from ceengine.text import (
    clean_multiline,
    clean_text,
    email_key,
    is_printable,
    printable,
    printable_lines,
)


class Field:
    def __init__(self, data):
        self.data = data


def test_one_line_text_is_trimmed_and_its_spaces_collapsed():
    assert clean_text("  Ana \t  María\nLópez ") == "Ana María López"
    assert clean_text(None) == ""


def test_longer_text_keeps_its_lines_but_not_windows_line_ends_or_trailing_spaces():
    assert clean_multiline("\r\n First line  \r\n\r\nsecond\t\n ") == "First line\n\nsecond"


def test_an_address_is_compared_trimmed_and_lower_cased():
    assert email_key("  Ana@Example.ORG ") == "ana@example.org"


@pytest.mark.parametrize(
    "text",
    [
        "Ana María",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        "\u0915\u094d\u200d\u0937",
        "",
    ],
)
def test_names_in_any_script_are_printable(text):
    assert is_printable(text)


@pytest.mark.parametrize("text", ["Ana\u202eevil", "Ana\x00", "Ana\u200bB", "Ana\nB"])
def test_control_and_direction_characters_are_not(text):
    assert not is_printable(text)


def test_the_form_validators_refuse_what_is_not_printable():
    printable(None, Field("Ana"))
    printable_lines(None, Field("First\r\nsecond"))
    with pytest.raises(ValidationError, match="only printable characters"):
        printable(None, Field("First\nsecond"))
    with pytest.raises(ValidationError, match="only printable characters"):
        printable_lines(None, Field("First\n\u202esecond"))
