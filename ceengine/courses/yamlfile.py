"""YAML that remembers line numbers, so mistakes can be reported where they are.

Read so that nothing is guessed: only `true` and `false` are booleans (YAML 1.1 also reads
`yes`, `no`, `on` and `off` as booleans, so `answer: yes` or an option `No` silently became
one), and `13:05` is text, not the base-60 number 785. Everything else is PyYAML's safe schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from ceengine.courses.yamlerrors import explain_yaml_error, quoted, runaway_quote, runaway_text

BOOL_TAG, INT_TAG, FLOAT_TAG = (f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float"))
# YAML 1.2's booleans: the words true and false (as written in any of the usual cases).
_BOOLEAN = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# PyYAML's integers and floats without the base-60 forms (1:30 is 90 in YAML 1.1).
_INTEGER = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
# ` #` then a word at once (`#1`, `#hashtag`): rarely a comment, which authors write `# like this`.
_CUT_TEXT = re.compile(r"^[ \t]+#[^\s#]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line
_REPLACED = {BOOL_TAG: _BOOLEAN, INT_TAG: _INTEGER, FLOAT_TAG: _FLOAT}
_DROPPED = {"tag:yaml.org,2002:value"}  # a lone `=`, which the safe schema cannot build


def _resolvers() -> dict[str, list[tuple[str, re.Pattern]]]:
    """The safe schema's implicit types, with booleans, integers and floats as above."""
    table: dict[str, list[tuple[str, re.Pattern]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [
            (tag, _REPLACED.get(tag, pattern)) for tag, pattern in entries if tag not in _DROPPED
        ]
        kept = [(tag, pattern) for tag, pattern in kept if tag != BOOL_TAG or first in "tTfF"]
        if kept:
            table[first] = kept
    return table


class LineDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line where `key` is written, or the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the line of each entry."""

    line: int = 1
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """Line of entry `index`."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key written twice in one mapping (PyYAML would silently keep the last)."""


class _LineLoader(yaml.SafeLoader):
    yaml_implicit_resolvers = _resolvers()

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.cut_by_comment: list[tuple[int, str, str]] = []  # (line, read, as written)
        self.quoted_across_lines: list[tuple[int, int]] = []  # (first line, last line)
        self.plain_across_lines: list[tuple[int, int]] = []

    def construct_scalar(self, node: yaml.ScalarNode) -> Any:  # noqa: D102 - PyYAML hook
        value = super().construct_scalar(node)
        lines = (node.start_mark.line + 1, node.end_mark.line + 1)
        if node.style is None:  # plain text: ` #` ends it, and the rest is a comment
            self._note_cut(node)
            if lines[1] > lines[0]:
                self.plain_across_lines.append(lines)
        elif node.style in ("'", '"') and node.end_mark.line > node.start_mark.line:
            self.quoted_across_lines.append(lines)
        return value

    def _note_cut(self, node: yaml.ScalarNode) -> None:
        """Remember plain text followed by ` #word` (`The #1 cause`): the `#1 cause` part
        silently became a comment, which the author most likely meant as text."""
        mark = node.end_mark
        buffer = getattr(mark, "buffer", None)
        if not isinstance(buffer, str):
            return
        end = min(i for i in (buffer.find("\n", mark.pointer), len(buffer)) if i >= 0)
        rest = buffer[mark.pointer : end].rstrip("\0\r ")
        if _CUT_TEXT.match(rest):
            self.cut_by_comment.append((mark.line + 1, node.value, f"{node.value}{rest}"))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # noqa: D102 - PyYAML hook
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):  # PyYAML's own check, which this hook replaces
                raise DuplicateKeyError(
                    problem="a key must be a plain word, not a list or a mapping",
                    problem_mark=key_node.start_mark,
                )
            if key in result:
                raise DuplicateKeyError(
                    problem=f"key '{key}' appears twice", problem_mark=key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:  # noqa: D102 - PyYAML hook
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_yaml_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    yield loader.construct_mapping(node)


def _construct_yaml_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[LineList]:
    yield loader.construct_sequence(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_yaml_seq)


class YamlSyntaxError(Exception):
    """YAML that does not parse, with the 1-based line of the mistake."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def load_yaml(text: str, warn: Callable[[int, str], None] | None = None) -> Any:
    """Parse YAML into LineDict/LineList, raising YamlSyntaxError with the line of the mistake
    and what it is in an author's words; `warn(line, message)` hears of text a ` #` cut."""
    loader = None
    try:
        loader = _LineLoader(text)  # reading starts here: a control character stops it
        data = loader.get_single_data()
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise YamlSyntaxError(line, exc.problem or str(exc)) from None
    except yaml.YAMLError as exc:
        line, message = explain_yaml_error(exc, text)
        raise YamlSyntaxError(line, message) from None
    finally:
        if loader is not None:
            loader.dispose()
    _refuse_runaways(text, loader.quoted_across_lines, loader.plain_across_lines)
    for line, read, whole in loader.cut_by_comment if warn else ():
        warn(
            line,
            f"' #' starts a comment, so '{whole.strip()}' reads as '{read}' and the rest is "
            f"left out. If the # belongs to the text, put the whole text in quotes: "
            f"{quoted(whole.strip())}",
        )
    return data


def _refuse_runaways(
    text: str, quoted_spans: list[tuple[int, int]], plain_spans: list[tuple[int, int]]
) -> None:
    """YamlSyntaxError at the first text that ran on over lines meant as YAML: an unclosed
    quote that a later quote closed, or a `- ` entry read as more text of the line above."""
    found = []
    lines = _LINE_BREAK.split(text) if quoted_spans or plain_spans else []
    for start, end in quoted_spans:
        message = runaway_quote(lines, start, end)
        if message:
            found.append((start, message))
    for start, end in plain_spans:
        found.extend(filter(None, [runaway_text(lines, start, end)]))
    if found:
        raise YamlSyntaxError(*min(found))


def as_yaml_text(value: str) -> str:
    """`value` as written after `key: ` so that it reads back as that text (quoted if need be)."""
    try:
        if load_yaml(f"key: {value}") == {"key": value}:
            return value
    except YamlSyntaxError:
        pass
    return quoted(value)
