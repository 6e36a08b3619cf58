"""Reading typed fields from a YAML mapping, reporting each mistake with its line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ceengine.courses.problems import Problems
from ceengine.courses.yamlerrors import quoted
from ceengine.courses.yamlfile import LineDict, LineList

MISSING = object()
BOOLEAN_WORDS = {"true": True, "false": False}  # also accepted in quotes: "true" means true


def _colon_entry(entry: Any) -> bool:
    """A list entry such as `- Step 1: breathe`, which YAML reads as {"Step 1": "breathe"}."""
    return (
        isinstance(entry, dict)
        and len(entry) == 1
        and all(isinstance(k, str) and isinstance(v, str | None) for k, v in entry.items())
    )


def _reads_as(value: bool | int | float | date) -> str:
    """What YAML took an unquoted value for ("a number", "a date")."""
    if isinstance(value, bool):
        return "true or false"
    return "a date" if isinstance(value, date) else "a number"


def written(value: Any) -> str:
    """A value as the author wrote it, for a message ("yes", "a list", "3")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    return str(value)


class Fields:
    """Typed access to one mapping in a course file; unknown keys are mistakes."""

    def __init__(
        self,
        data: Any,
        path: Path,
        problems: Problems,
        what: str,
        allowed: set[str],
        line: int = 1,
        homes: dict[str, str] | None = None,
    ) -> None:
        """`homes` names, for a key that belongs inside a nested mapping, that mapping's key:
        found here, it was indented too little."""
        self.path, self.problems, self.what = path, problems, what
        if not isinstance(data, dict):
            if data is not None:
                problems.add(path, getattr(data, "line", line), f"{what} must be a mapping of keys")
            data = LineDict()
            data.line, data.key_lines = line, {}
        self.data = data
        for key in data:
            if key not in allowed and key in (homes or {}):
                self.error(
                    key,
                    f"{what}: '{key}' belongs inside '{homes[key]}:', not at this level: it is "
                    "indented too little (a wrong indent). Line it up with the keys above it "
                    f"that are inside '{homes[key]}:'",
                )
            elif key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(key, f"{what}: unknown key '{key}' (allowed: {known})")

    def line(self, key: str | None = None) -> int:
        """Line of `key`, or of the mapping itself."""
        return self.data.line_of(key) if key else self.data.line

    def error(self, key: str | None, message: str) -> None:
        """Record a mistake at the line of `key`."""
        self.problems.add(self.path, self.line(key), message)

    def raw(self, key: str, required: bool) -> Any:
        """The value of `key`, or MISSING (recording a mistake when required)."""
        value = self.data.get(key, MISSING)
        if value is MISSING or value is None or value == "":
            if required:
                self.error(
                    None if key not in self.data else key, f"{self.what}: '{key}' is required"
                )
            return MISSING
        return value

    def text(
        self,
        key: str,
        required: bool = True,
        max_length: int | None = None,
        default: str | None = None,
    ) -> str | None:
        """A string value (numbers are not silently turned into text)."""
        value = self.raw(key, required)
        if value is MISSING:
            return default
        if isinstance(value, bool | int | float | date):
            self.error(
                key,
                f"{self.what}: '{key}' must be text; you wrote {written(value)}, which reads as "
                f"{_reads_as(value)}: put it in quotes. Write it like this:\n"
                f'    {key}: "{written(value)}"',
            )
            return default
        if not isinstance(value, str):
            self.error(key, f"{self.what}: '{key}' must be text; you wrote {written(value)}")
            return default
        value = value.strip()
        if max_length and len(value) > max_length:
            self.error(
                key,
                f"{self.what}: '{key}' is {len(value)} characters; at most {max_length} allowed",
            )
        return value

    def number(
        self,
        key: str,
        default: Decimal | None = None,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        required: bool = False,
    ) -> Decimal | None:
        """A number, checked against its range."""
        value = self.raw(key, required)
        if value is MISSING:
            return default
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value))
            if not number.is_finite():  # .nan, .inf and the words NaN or Infinity
                raise InvalidOperation
        except InvalidOperation:
            self.error(key, f"{self.what}: '{key}' must be a number, not '{value}'")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            low = "" if minimum is None else f" from {minimum}"
            high = "" if maximum is None else f" to {maximum}"
            self.error(key, f"{self.what}: '{key}' must be{low}{high}, not {value}")
            return default
        return number

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        """One of a fixed set of words."""
        value = self.raw(key, required=False)
        if value is MISSING:
            return default
        if value not in options:
            self.error(
                key, f"{self.what}: '{key}' must be one of {', '.join(options)}, not '{value}'"
            )
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        """true or false (never yes, no, on or off: they are text)."""
        value = self.boolean(key, required=False)
        return default if value is None else value

    def boolean(self, key: str, required: bool) -> bool | None:
        """The word true or false; anything else is reported (None)."""
        value = self.raw(key, required)
        if value is MISSING:
            return None
        if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
            return BOOLEAN_WORDS[value.strip().lower()]
        if not isinstance(value, bool):
            self.error(
                key,
                f"{self.what}: {key} must be true or false; you wrote {written(value)}. "
                f"Write {key}: true or {key}: false",
            )
            return None
        return value

    def items(self, key: str, required: bool = True) -> list[tuple[int, Any]]:
        """A list, as (line, entry) pairs."""
        value = self.raw(key, required)
        if value is MISSING:
            return []
        if not isinstance(value, LineList):
            self.error(key, f"{self.what}: '{key}' must be a list (lines starting with '- ')")
            return []
        return [(value.line_of(i), entry) for i, entry in enumerate(value)]

    def texts(self, key: str, required: bool = True) -> list[str]:
        """A list of non-empty strings."""
        result = []
        for line, entry in self.items(key, required):
            if _colon_entry(entry):
                (words, rest), *_ = entry.items()
                whole = quoted(f"{words}: {rest or ''}".strip())
                self.problems.add(
                    self.path,
                    line,
                    f"{self.what}: this entry of '{key}' has a colon followed by a space, so "
                    "YAML reads it as a key and a value, not as text; put the whole entry in "
                    f"quotes. Write it like this:\n    - {whole}",
                )
            elif isinstance(entry, bool | int | float | date):
                self.problems.add(
                    self.path,
                    line,
                    f"{self.what}: this entry of '{key}' reads as {_reads_as(entry)}, not as "
                    "text; put it in quotes. Write it like this:\n"
                    f'    - "{written(entry)}"',
                )
            elif not isinstance(entry, str) or not entry.strip():
                self.problems.add(
                    self.path, line, f"{self.what}: each entry of '{key}' must be non-empty text"
                )
            else:
                result.append(entry.strip())
        if required and not result and key in self.data:
            self.error(key, f"{self.what}: '{key}' needs at least one entry")
        return result

    def sub(self, key: str, what: str, allowed: set[str]) -> Fields:
        """The nested mapping under `key` (empty when absent)."""
        value = self.data.get(key)
        return Fields(value, self.path, self.problems, what, allowed, line=self.line(key))
