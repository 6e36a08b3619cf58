"""Certificate numbers: unguessable, easy to read aloud, with a check character.

A number is 12 random Crockford base-32 symbols (60 bits) in three groups of four,
then a check symbol (Crockford's mod-37 check), e.g. ``7KQ2-M9XD-4HTR-V``.
Crockford's alphabet has no I, L, O or U, so nothing is confused when read aloud;
on input, I and L are read as 1, O as 0, case and hyphens do not matter.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
_BODY_LENGTH = 12
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _check_symbol(body: str) -> str:
    value = 0
    for symbol in body:
        value = value * 32 + ALPHABET.index(symbol)
    return CHECK_SYMBOLS[value % 37]


def _group(body: str) -> str:
    return "-".join(body[i : i + 4] for i in range(0, len(body), 4))


def new_certificate_number() -> str:
    """A fresh random number like ``7KQ2-M9XD-4HTR-V``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{_group(body)}-{_check_symbol(body)}"


def normalize_certificate_number(text: str) -> str | None:
    """The canonical form of a typed number, or None when it is not a valid number."""
    compact = text.strip().upper().replace("-", "").replace(" ", "")
    if len(compact) != _BODY_LENGTH + 1:
        return None
    body, check = compact[:-1].translate(_READ_AS), compact[-1]
    if check not in "*~$=U":
        check = check.translate(_READ_AS)
    if any(symbol not in ALPHABET for symbol in body) or check != _check_symbol(body):
        return None
    return f"{_group(body)}-{check}"
