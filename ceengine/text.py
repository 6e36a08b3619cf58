"""Shared input rules: how typed text is tidied, how an address is compared, which characters
a printed name may hold, and how long it may be.

The bottom of the house: imports no feature package and no Flask. The two WTForms validators
at the end wrap `is_printable` so every form refuses the same characters with the same words.
"""

from __future__ import annotations

import re
import unicodedata

from wtforms import Field
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

FULL_NAME_MAX = 120  # the longest name printed on a certificate

# Zero-width joiners are part of how some scripts (Persian, Indic) are written.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
_NOT_PRINTABLE = "Please use only printable characters."


def clean_text(value: str | None) -> str:
    """Trim and collapse the spaces in what someone typed on one line."""
    return " ".join((value or "").split())


def clean_multiline(text: str) -> str:
    """Text as typed, with Windows line ends and trailing spaces tidied."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def email_key(email: str) -> str:
    """An address as it is stored and looked up: trimmed and lower-cased."""
    return email.strip().lower()


def is_printable(text: str) -> bool:
    """False for control and direction-override characters, which could disguise a name."""
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" or (category == "Cf" and character not in _ALLOWED_FORMAT_CHARACTERS):
            return False
    return True


def printable(_form: BaseForm, field: Field) -> None:
    """WTForms validator: refuse control and direction-override characters."""
    if not is_printable(field.data or ""):
        raise ValidationError(_NOT_PRINTABLE)


def printable_lines(_form: BaseForm, field: Field) -> None:
    """Like `printable`, but line breaks in a longer text are fine."""
    if not is_printable((field.data or "").replace("\n", " ").replace("\r", " ")):
        raise ValidationError(_NOT_PRINTABLE)


_LICENSE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .#/-]{0,39}$")
_JURISDICTION = re.compile(r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*\.?$")


def is_license_number(text: str) -> bool:
    """A license number as boards print it: letters and digits (with - . / # and spaces),
    at least one digit, at most 40 characters — not a sentence."""
    return bool(_LICENSE_NUMBER.match(text)) and any(c.isdigit() for c in text)


def is_jurisdiction(text: str) -> bool:
    """A state or jurisdiction: a name or a code like CA, in letters, at most 60 characters."""
    return len(text) <= 60 and bool(_JURISDICTION.match(text))


def license_number(_form: BaseForm, field: Field) -> None:
    """WTForms validator: the license number's shape."""
    if field.data and not is_license_number(field.data):
        raise ValidationError(
            "Enter the license number as it is printed on your license, for example "
            "LCSW 12345 or 123456: letters and digits only."
        )


def jurisdiction(_form: BaseForm, field: Field) -> None:
    """WTForms validator: a state or jurisdiction is a name or a code like CA, in letters."""
    if field.data and not is_jurisdiction(field.data):
        raise ValidationError(
            "Enter the state or jurisdiction in letters, for example California or CA."
        )
