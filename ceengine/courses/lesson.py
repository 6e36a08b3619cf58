"""A lesson or module file: Markdown sections with resource blocks in between."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from ceengine.courses.advice import resource_in_disguise
from ceengine.courses.fields import Fields
from ceengine.courses.markup import clean_html, markdown, section_address, wrap_tables
from ceengine.courses.problems import Problems
from ceengine.courses.resources import RESOURCE_TYPES, read_resource
from ceengine.courses.yamlfile import YamlSyntaxError, load_yaml

# `file: name` in a resource block, read without YAML: a block with a mistake still names it.
_FILE_LINE = re.compile(r"""^file:[ \t]+["']?([^"'#\s]+)""", re.MULTILINE)


def _split_title(text: str, path: Path, problems: Problems, module: bool) -> tuple[str, str, int]:
    """Take the `# Title` first line off a module; a single-page lesson has none."""
    if not module:
        return "", text, 0
    first, _, rest = text.partition("\n")
    if not first.startswith("# ") or not first[2:].strip():
        problems.add(path, 1, "a module file must start with its title as a '# ' heading")
        return path.stem, text, 0
    return first[2:].strip(), rest, 1


def _resource_block(
    token: Token, path: Path, problems: Problems, media_dir: Path, offset: int
) -> dict | None:
    kind = token.info.strip()
    first_line = offset + token.map[0] + 2  # the line after the opening fence
    try:
        data = load_yaml(
            token.content,
            warn=lambda n, m: problems.warn(path, first_line + n - 1, f"{kind}: {m}"),
        )
    except YamlSyntaxError as exc:
        problems.add(path, first_line + exc.line - 1, f"{kind}: {exc.message}")
        return None
    if isinstance(data, dict):
        _shift_lines(data, first_line - 1)

    def make_fields(value: Any, what: str, allowed: set[str]) -> Fields:
        return Fields(value, path, problems, what, allowed, line=first_line - 1)

    return read_resource(kind, data, make_fields, media_dir)


def _shift_lines(node: Any, by: int) -> None:
    """Move line numbers from the fence body to the Markdown file."""
    if isinstance(node, dict):
        node.line += by
        node.key_lines = {k: v + by for k, v in node.key_lines.items()}
        for value in node.values():
            _shift_lines(value, by)
    elif isinstance(node, list) and hasattr(node, "item_lines"):
        node.line += by
        node.item_lines = [v + by for v in node.item_lines]
        for value in node:
            _shift_lines(value, by)


def _check_headings(tokens: list[Token], path: Path, problems: Problems, offset: int) -> list[dict]:
    """Give each `##` heading its address; refuse `#` headings inside the text."""
    sections = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        line = offset + token.map[0] + 1
        title = tokens[index + 1].content.strip()
        if token.tag == "h1":
            problems.add(
                path,
                line,
                f"'# {title}': use '## ' for sections; the page "
                "already has the title as its top heading",
            )
        elif token.tag == "h2":
            address = section_address(title)
            if not address:
                problems.add(path, line, f"heading '{title}' has no letters or digits")
                continue
            token.attrSet("id", address)
            sections.append({"id": address, "title": title, "line": line})
    return sections


def read_lesson(path: Path, media_dir: Path, problems: Problems, module: bool) -> dict:
    """Read one lesson or module file into its title, sections and page blocks."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path, 1, f"file is not UTF-8 text ({exc.reason})")
        return {"title": path.stem, "sections": [], "blocks": []}
    title, body, offset = _split_title(text, path, problems, module)
    tokens = markdown.parse(body)
    sections = _check_headings(tokens, path, problems, offset)
    blocks, pending, named = [], [], []

    def flush() -> None:
        if pending:
            html = markdown.renderer.render(pending, markdown.options, {})
            blocks.append({"kind": "html", "html": wrap_tables(clean_html(html))})
            pending.clear()

    for token in tokens:
        if token.type == "fence" and token.info.strip() in RESOURCE_TYPES:
            if token.level > 0:
                problems.add(
                    path,
                    offset + token.map[0] + 1,
                    f"{token.info.strip()}: a resource block must start at the "
                    "left margin, not inside a list or quote",
                )
                continue
            flush()
            named.extend(_FILE_LINE.findall(token.content))  # used, even by a broken block
            resource = _resource_block(token, path, problems, media_dir, offset)
            if resource:
                blocks.append(resource)
        else:
            if token.type == "fence":
                line = offset + token.map[0] + 1
                resource_in_disguise(token.info, token.content, path, line, problems)
            pending.append(token)
    flush()
    if not any(b["kind"] == "html" and b["html"].strip() for b in blocks):
        problems.add(path, 1, "the lesson has no text")
    return {"title": title, "sections": sections, "blocks": blocks, "named_files": named}
