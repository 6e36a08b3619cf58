"""YAML that remembers line numbers, so mistakes can be reported where they are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml


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


def load_yaml(text: str) -> Any:
    """Parse YAML into LineDict/LineList, raising YamlSyntaxError with a line number."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, exc.problem or str(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from None
