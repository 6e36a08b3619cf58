"""YAML mistakes in an author's words: what is wrong, on which line, and the line corrected.

PyYAML says `found character '\\t' that cannot start any token` or `mapping values are not
allowed here`; a clinician writing a course needs "a tab character: indent with spaces" and
the line as it should be. Each common mistake is recognised from PyYAML's error and the text
around it; anything else still names its line and says what YAML expected.
"""

from __future__ import annotations

import re
import textwrap

import yaml

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line
# `key: value`, `- key: value` or `- - key:` at the start of a line; group 3 is the key.
_KEY_LINE = re.compile(r"^(\s*)((?:-\s+)*)([^\s#'\"\-][^:#]*?|-[^\s:#][^:#]*?):(?:\s|$)")
_FIELD_NAME = re.compile(r"^[A-Za-z_][\w-]*$")  # a key as the format writes them
_LIST_ENTRY = re.compile(r"^(\s*)-(?:\s|$)")
_NO_SPACE_AFTER_COLON = re.compile(r"^(\s*(?:-\s+)*[A-Za-z_][\w-]*):(\S.*)$")
# A comment after a value: a `#` after a space, followed by a space or the end of the line
# (` #1` is more likely text: authors write their comments `# like this`).
_COMMENT = re.compile(r"\s+#(?=\s|$)")
_QUOTE_HINT = (
    "Text that contains a colon and a space (': '), starts with a quote, a bracket or one of "
    "* & ! % @ ` | > { [, or holds ' #', goes in double quotes"
)


def explain_yaml_error(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The 1-based line of a YAML mistake and an explanation with a corrected example."""
    lines = _LINE_BREAK.split(text)
    if isinstance(error, yaml.reader.ReaderError):
        line = len(_LINE_BREAK.split(text[: error.position]))
        code = ord(error.character) if isinstance(error.character, str) else error.character
        return line, (
            f"the file holds an invisible control character (code {code:#04x}) "
            "that text may not contain; delete it (it often comes from copying out of another "
            "program)"
        )
    if not isinstance(error, yaml.MarkedYAMLError):
        return 1, f"this is not valid YAML ({error})"
    try:
        return _Explainer(error, lines).explain()
    except Exception:  # an explanation must never hide the mistake: fall back to PyYAML's words
        mark = error.problem_mark or error.context_mark
        return (mark.line + 1 if mark else 1), f"this is not valid YAML: {error.problem or error}"


def quoted(value: str) -> str:
    """`value` as YAML text in quotes: double quotes unless it holds a double quote."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def split_comment(value: str, unclosed: bool = False) -> tuple[str, str]:
    """`value` (what follows `key:` or `- `) as (its text, its trailing comment with the spaces
    before it, or ""): the comment stays out of the quotes a corrected line puts around the
    text. A `#` inside a closed quote is text; `unclosed` says the quote `value` opens never
    closes, so a comment after it is what the author meant as one."""
    start = 0
    if not unclosed and value[:1] in ("'", '"'):
        end = _closing_quote(value)
        start = end + 1 if end else 0
    found = _COMMENT.search(value, start)
    if not found:
        return value.rstrip(), ""
    return value[: found.start()].rstrip(), value[found.start() :].rstrip()


def quoted_value(value: str) -> str:
    """`value` in quotes, its trailing comment (if any) kept after the closing quote."""
    text, comment = split_comment(value)
    return quoted(text.strip()) + comment


def _closing_quote(value: str) -> int:
    """The index of the quote that closes the one `value` starts with (0: none)."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and value[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return 0


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _example(*lines: str) -> str:
    """Lines shown under a message, indented by four spaces, their own indents kept."""
    block = textwrap.dedent("\n".join(lines))
    return "Write it like this:\n" + textwrap.indent(block, "    ", lambda _line: True)


class _Explainer:
    """Recognises one PyYAML error in its text."""

    def __init__(self, error: yaml.MarkedYAMLError, lines: list[str]) -> None:
        self.error, self.lines = error, lines
        self.problem = error.problem or ""
        self.context = error.context or ""
        mark = error.problem_mark or error.context_mark
        self.line = mark.line + 1 if mark else 1
        self.column = mark.column if mark else 0
        context = error.context_mark
        self.context_line = context.line + 1 if context else self.line

    def text(self, line: int) -> str:
        """The text of 1-based `line` ("" past the end)."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def previous(self, line: int) -> int:
        """The nearest line above `line` with something on it other than a comment (0: none)."""
        for number in range(line - 1, 0, -1):
            stripped = self.text(number).strip()
            if stripped and not stripped.startswith("#"):
                return number
        return 0

    def explain(self) -> tuple[int, str]:
        """(line, message) for the error."""
        for check in (
            self._tab,
            self._unclosed_quote,
            self._colon_in_text,
            self._text_after_quote,
            self._special_first_character,
            self._no_space_after_colon,
            self._unclosed_bracket,
            self._second_document,
            self._wrong_indent,
        ):
            found = check()
            if found:
                return found
        what = f"{self.problem} ({self.context})" if self.context else self.problem
        return self.line, (
            f"this line is not valid YAML: {what}. Check that it lines up with the lines "
            f"above it, uses spaces (not tabs), and that text with special characters is in "
            f"quotes. {_QUOTE_HINT}"
        )

    # --- each mistake ---------------------------------------------------------------------

    def _tab(self) -> tuple[int, str] | None:
        if "'\\t'" not in self.problem:
            return None
        line = self.line
        source = self.text(line)
        lead = source[: _indent(source)]
        if "\t" in lead:
            fixed = " " * self._expected_indent(line) + source.lstrip(" \t")
            before = self.previous(line)
            shown = (self.text(before), fixed) if before else (fixed,)
            return line, (
                "a tab character at the start of the line: YAML indents with spaces only, "
                "never tabs. Replace the tab with spaces that line the text up with the "
                "lines it belongs with (set your editor to type spaces for the Tab key). "
                + _example(*shown)
            )
        fixed = re.sub(r":\t+", ": ", source).replace("\t", " ")
        return line, (
            f"a tab character (column {self.column + 1}): YAML allows only spaces between "
            "a key and its value, and a tab inside text must be in quotes. Replace the tab "
            "with a space. " + _example(fixed)
        )

    def _unclosed_quote(self) -> tuple[int, str] | None:
        if "quoted scalar" in self.context:
            line = self.context_line
        elif self.error.__class__.__name__ == "ParserError" or "simple key" in self.context:
            line = self._line_with_open_quote(self.line)
            if not line:
                return None
        else:
            return None
        message = unclosed_quote(self.text(line))
        return (line, message) if message else None

    def _colon_in_text(self) -> tuple[int, str] | None:
        if self.problem != "mapping values are not allowed here":
            return None
        line, source = self.line, self.text(self.line)
        match = _KEY_LINE.match(source)
        if match and match.end(3) == self.column:
            return self._line_joined_to_the_one_above(line, match)
        if match:  # the colon is inside the value of `key: value`
            indent, dashes, key = match.group(1), match.group(2), match.group(3)
            value = source[match.end() :].strip()
            if _FIELD_NAME.match(key):
                fixed = f"{indent}{dashes}{key}: {quoted_value(value)}"
                where = f"the text of '{key}'"
            else:
                fixed = f"{indent}{dashes}{quoted_value(source[match.end(2) :].strip())}"
                where = "the text"
            colon = source[: self.column + 1].rsplit(" ", 1)[-1]
            return line, (
                f"a colon inside text: '{colon}' followed by a space starts a new key in "
                f"YAML, so {where} needs quotes around it. " + _example(fixed)
            )
        return None

    def _line_joined_to_the_one_above(
        self, line: int, match: re.Match[str]
    ) -> tuple[int, str] | None:
        """`key:` that YAML took as more of the text above: an indent or a missing space."""
        above = self.previous(line)
        source, before = self.text(line), self.text(above)
        if above and not _KEY_LINE.match(before) and not _LIST_ENTRY.match(before):
            spaced = _NO_SPACE_AFTER_COLON.match(before)
            if spaced:
                return above, (
                    "a key needs a space after its colon: YAML reads "
                    f"'{before.strip()}' as text, not as a key and its value. "
                    + _example(f"{spaced.group(1)}: {spaced.group(2)}")
                )
            return above, (
                f"'{before.strip()}' is not a key and a value: a line here is written "
                "`key: value`. " + _example(f"{before.rstrip()}: ...")
            )
        key = match.group(3)
        before_match = _KEY_LINE.match(before)
        if (
            _FIELD_NAME.match(key)
            and before_match
            and _indent(before) < _indent(source) == self._expected_indent(above)
        ):  # the line above is the one out of line: this one lines up with those before it
            fixed = " " * _indent(source) + before.lstrip()
            context = self.previous(above)
            return above, (
                f"a wrong indent: '{before_match.group(3)}:' is indented "
                f"{_spaces(_indent(before))}, less than the lines around it "
                f"({_spaces(_indent(source))}), so YAML cannot read the line after it. Keys of "
                "the same mapping line up exactly. "
                + _example(*((self.text(context),) if context else ()), fixed, source)
            )
        if _FIELD_NAME.match(key) and above:
            expected = self._expected_indent(line)
            fixed = " " * expected + source.lstrip()
            return line, (
                f"a wrong indent: '{key}:' is indented {_spaces(_indent(source))}, further "
                f"than the line above it, so YAML reads it as more text of that line. Keys of "
                f"the same mapping line up exactly ({_spaces(expected)} here). "
                + _example(before, fixed)
            )
        start = self._start_of_text(line)
        key_match = _KEY_LINE.match(self.text(start))
        if not key_match:
            return None
        words = " ".join(
            split_comment(text.strip())[0]
            for text in [self.text(start)[key_match.end() :]]
            + [self.text(number) for number in range(start + 1, line + 1)]
        )
        indent, dashes, first_key = key_match.groups()
        return line, (
            f"a colon inside text: '{key}:' followed by a space starts a new key in YAML, "
            f"so the text of '{first_key}' needs quotes around it. "
            + _example(f"{indent}{dashes}{first_key}: {quoted(words)}")
        )

    def _text_after_quote(self) -> tuple[int, str] | None:
        if "expected <block end>, but found '<scalar>'" not in self.problem:
            return None
        source = self.text(self.line)
        match = _KEY_LINE.match(source) or _LIST_ENTRY.match(source)
        start = match.end() if match else _indent(source)
        value = source[start:].strip()
        head = source[:start].rstrip()
        if not value or value[0] not in "\"'[{":
            return None
        value, comment = split_comment(value)
        if value[0] == "'" and re.match(r"^'[^']*'[A-Za-z]", value):
            return self.line, (
                "an apostrophe inside text in single quotes ends the text early. Put text "
                "with an apostrophe in double quotes. "
                + _example(f"{head} {quoted(value.strip(chr(39)))}{comment}")
            )
        if value[0] in "[{":
            closing = "]" if value[0] == "[" else "}"
            return self.line, (
                f"a value that starts with {value[0]} is read as a list or a mapping written "
                f"on one line, ending at {closing}; text that starts with {value[0]} needs "
                "quotes around it. " + _example(f"{head} {quoted(value)}{comment}")
            )
        return self.line, (
            f"text that starts with a quote ({value[0]}) must end with it: YAML reads the "
            "quoted words as the whole value and does not know what to do with the rest. Put "
            "the whole text in quotes of the other kind. "
            + _example(f"{head} {_other_quotes(value)}{comment}")
        )

    def _special_first_character(self) -> tuple[int, str] | None:
        what = None
        if "alias" in self.context or "undefined alias" in self.problem:
            what = "* (as in Markdown's *italics* or **bold**), which YAML reads as a reference"
        elif "anchor" in self.context:
            what = "&, which YAML reads as a label for reuse"
        elif "block scalar" in self.context:
            what = "> or |, which YAML reads as the start of text on the following lines"
        elif "constructor for the tag" in self.problem:
            what = "!, which YAML reads as a type"
        else:
            found = re.search(r"found character '(.)' that cannot start any token", self.problem)
            if found:
                what = f"{found.group(1)}, which YAML keeps for itself"
        if what is None:
            return None
        line = self.context_line if self.error.context_mark else self.line
        return line, (
            f"text that starts with {what}, must be in quotes. "
            + _example(_with_value_quoted(self.text(line)))
        )

    def _no_space_after_colon(self) -> tuple[int, str] | None:
        if "could not find expected ':'" not in self.problem:
            return None
        line = self.context_line
        source = self.text(line)
        spaced = _NO_SPACE_AFTER_COLON.match(source)
        if spaced:
            return line, (
                "a key needs a space after its colon: YAML reads "
                f"'{source.strip()}' as text, not as a key and its value. "
                + _example(f"{spaced.group(1)}: {spaced.group(2)}")
            )
        if re.match(r"^-[^\s-]", source.strip()):
            fixed = " " * _indent(source) + "- " + source.strip()[1:]
            return line, (
                "a list entry needs a space after its '-': YAML reads "
                f"'{source.strip()}' as text, not as an entry of the list. " + _example(fixed)
            )
        above = self.previous(line)
        return line, (
            f"'{source.strip()}' is not `key: value`. If it is more of the text on the line "
            "above, put that whole text in quotes or indent this line under it; if it is a "
            "list entry, start it with '- '. "
            + _example(self.text(above), " " * self._expected_indent(line) + "- " + source.strip())
        )

    def _unclosed_bracket(self) -> tuple[int, str] | None:
        found = re.search(r"expected ',' or '([\]}])'", self.problem)
        if not found:
            return None
        line = self.context_line
        opening = "[" if found.group(1) == "]" else "{"
        return line, (
            f"a value that starts with {opening} is read as a list or a mapping written on one "
            f"line, and it is not closed with {found.group(1)}. If it is text, put it in "
            "quotes. " + _example(_with_value_quoted(self.text(line)))
        )

    def _second_document(self) -> tuple[int, str] | None:
        if "expected a single document" not in f"{self.problem} {self.context}":
            return None
        return self.line, (
            "a second document: a line '---' (or '...') starts another file inside this one. "
            "Delete that line, so that everything is one document."
        )

    def _wrong_indent(self) -> tuple[int, str] | None:
        if not self.problem.startswith("expected <block end>") and (
            "did not find expected" not in self.problem
        ):
            return None
        line = self.line
        source = self.text(line)
        above = self.previous(line)
        if not above:
            return None
        before = self.text(above)
        if (
            _LIST_ENTRY.match(before)
            and not _KEY_LINE.match(before)
            and _KEY_LINE.match(source)
            and not _LIST_ENTRY.match(source)
        ):
            dash = " " * _indent(before) + "- "
            return line, (
                "a wrong indent: a 'key:' line in the middle of a list. Each entry of a "
                "list starts with '- ' at the same indent; a new key lines up with the key "
                "that holds the list. " + _example(before, dash + source.strip())
            )
        entry = self._entry_above(line) if _LIST_ENTRY.match(source) else 0
        if entry and _indent(self.text(entry)) != _indent(source):
            return line, _entry_out_of_line(self.text(entry), source)
        expected = self._expected_indent(line)
        if expected == _indent(source):
            return None
        side = "less" if _indent(source) < expected else "further"
        return line, (
            f"a wrong indent: this line is indented {_spaces(_indent(source))}, {side} than "
            f"the lines it belongs with ({_spaces(expected)}). In YAML, lines of the same list "
            "or mapping line up exactly. " + _example(before, " " * expected + source.strip())
        )

    # --- reading the lines around a mistake -------------------------------------------------

    def _expected_indent(self, line: int) -> int:
        """Where `line` most likely belongs: under the key above, or beside it."""
        above = self.previous(line)
        if not above:
            return 0
        before = self.text(above)
        match = _KEY_LINE.match(before)
        if match:
            key_column = len(match.group(1)) + len(match.group(2))
            rest = before[match.end() :].split(" #")[0].strip()
            return key_column + 2 if not rest else key_column
        entry = _LIST_ENTRY.match(before)
        return len(entry.group(1)) if entry else _indent(before)

    def _entry_above(self, line: int) -> int:
        """The `- ` entry of the list the entry on `line` most likely belongs to (0: none):
        the nearest one above that every line between is indented further than."""
        lowest = _indent(self.text(line)) + 2
        number = line
        while number := self.previous(number):
            source = self.text(number)
            if _LIST_ENTRY.match(source) and _indent(source) <= lowest:
                return number
            if _indent(source) == 0:
                return 0
            lowest = min(lowest, _indent(source))
        return 0

    def _start_of_text(self, line: int) -> int:
        """The `key:` line whose text runs on to `line`."""
        own = _indent(self.text(line))
        number = line
        while number > 1:
            number = self.previous(number)
            if not number:
                return line
            if _KEY_LINE.match(self.text(number)) and _indent(self.text(number)) < own:
                return number
        return line

    def _line_with_open_quote(self, upto: int) -> int:
        """The last line up to `upto` whose value opens a quote it does not close."""
        found = 0
        for number in range(1, upto + 1):
            source = self.text(number)
            quote = _opening_quote(source)
            if quote and not _closes(source, quote):
                found = number
        return found


def runaway_quote(lines: list[str], start: int, end: int) -> str | None:
    """The unclosed-quote message when the quoted text from 1-based line `start` to `end`
    swallowed lines the author meant as YAML: a line indented no further than the one the
    quote opens on, or one that reads as a `key:` or a `- ` entry. (YAML lets quoted text run
    over lines, so a later quote — `"## "` in a comment, say — closes an unclosed one and the
    lines between silently become text.)"""
    source = lines[start - 1]
    for number in range(start + 1, min(end, len(lines)) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        if (
            _indent(line) <= _indent(source)
            or re.match(r"^\s*[a-z_]+:(?:\s|$)", line)
            or _LIST_ENTRY.match(line)
            or line.strip().startswith("# ")
        ):
            return unclosed_quote(source)
    return None


def _entry_out_of_line(entry: str, source: str) -> str:
    """A `- ` entry (`source`) not lined up with the entry above it in its list (`entry`)."""
    side = "less" if _indent(source) < _indent(entry) else "further"
    fixed = " " * _indent(entry) + source.strip()
    return (
        f"a wrong indent: the list entry '{source.strip()}' is indented "
        f"{_spaces(_indent(source))}, {side} than the entry above it in its list "
        f"({_spaces(_indent(entry))}). Each '- ' of one list lines up exactly under the "
        "'- ' above it. " + _example(entry.rstrip(), fixed.rstrip())
    )


def runaway_text(lines: list[str], start: int, end: int) -> tuple[int, str] | None:
    """(line, message) when unquoted text from 1-based line `start` to `end` ran on into a
    line that starts with `- `: a list entry indented further than the one above it, which
    YAML silently joins to it (`- A` then `  - B` reads as the one entry 'A - B')."""
    source = lines[start - 1]
    for number in range(start + 1, min(end, len(lines)) + 1):
        line = lines[number - 1]
        if not _LIST_ENTRY.match(line):
            continue
        if _LIST_ENTRY.match(source) and not _KEY_LINE.match(source):
            return number, _entry_out_of_line(source, line)
        match = _KEY_LINE.match(source)
        key = f"'{match.group(3)}:'" if match else "the line above"
        return number, (
            f"a wrong indent: '{line.strip()}' is indented under {key}, which has text on its "
            "own line, so YAML reads the '- ' line as more of that text, not as a list entry. "
            "A list goes under a key with nothing after its colon; if this is text, put it "
            "on the line above."
        )
    return None


def _value_start(source: str) -> int:
    """Where the value of `key: value` or `- value` on `source` starts."""
    match = _KEY_LINE.match(source) or _LIST_ENTRY.match(source)
    start = match.end() if match else _indent(source)
    return start + len(source[start:]) - len(source[start:].lstrip())


def _opening_quote(source: str) -> str | None:
    """The quote (' or ") the value on `source` starts with, if any."""
    value = source[_value_start(source) :]
    return value[0] if value[:1] in ("'", '"') else None


def unclosed_quote(source: str) -> str | None:
    """The message for a value on `source` that opens a quote it never closes, with the line
    corrected (its comment kept after the closing quote); None when it opens no quote."""
    quote = _opening_quote(source)
    if quote is None:
        return None
    start = _value_start(source)
    text, comment = split_comment(source[start:], unclosed=True)
    return (
        f"a quote that is never closed: the text that starts with {quote} on this line "
        f"must end with {quote} on the same line, or YAML reads everything after it as "
        "part of the text. " + _example(source[:start] + text + quote + comment)
    )


def _with_value_quoted(source: str) -> str:
    """`source` with its value (or its list entry's text) in quotes."""
    match = _KEY_LINE.match(source)
    if match and _FIELD_NAME.match(match.group(3)):
        return f"{source[: match.end()].rstrip()} {quoted_value(source[match.end() :].strip())}"
    entry = _LIST_ENTRY.match(source)
    if entry:
        return f"{source[: entry.end()].rstrip()} {quoted_value(source[entry.end() :].strip())}"
    return " " * _indent(source) + quoted_value(source.strip())


def _closes(source: str, quote: str) -> bool:
    """Whether the quoted value on `source` ends on the same line."""
    start = source.index(quote)
    rest = source[start + 1 :]
    if quote == "'":
        return "'" in rest.replace("''", "")
    return re.search(r'(?<!\\)"', rest.replace("\\\\", "")) is not None


def _other_quotes(value: str) -> str:
    """`value` (which starts with a quote) inside quotes of the other kind."""
    if value[0] == '"':
        return "'" + value.replace("'", "''") + "'"
    return quoted(value)
