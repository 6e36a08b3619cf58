"""The quiz file: comprehension items, each tied to the lesson section that teaches it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ceengine.courses.fields import Fields
from ceengine.courses.items import DEFAULT_ITEM_TYPE, ITEM_TYPES, item_type
from ceengine.courses.problems import Problems
from ceengine.courses.yamlfile import load_yaml

ITEM_KEYS = {"id", "type", "statement", "answer", "options", "explanation", "section"}
APA_ITEMS_PER_HOUR = 6
APA_MIN_THRESHOLD = 75


def _read_item(data: Any, line: int, path: Path, problems: Problems, seen: set[str]) -> dict | None:
    f = Fields(data, path, problems, "item", ITEM_KEYS, line=line)
    item_id = f.text("id")
    if item_id:
        f.what = f"item '{item_id}'"
        if item_id in seen:
            f.error("id", f"item id '{item_id}' is used twice")
        seen.add(item_id)
    kind = f.choice("type", tuple(ITEM_TYPES), default=DEFAULT_ITEM_TYPE)
    options, answer = item_type(kind).read(f)
    item = {
        "key": item_id,
        "kind": kind,
        "statement": f.text("statement", max_length=1000),
        "options": options,
        "answer": answer,
        "explanation": f.text("explanation"),
        "section": f.text("section"),
        "line": f.line("section"),
    }
    return item if None not in (item_id, item["statement"], answer) else None


def read_quiz(path: Path, problems: Problems) -> list[dict]:
    """Read and check every item of a quiz file."""
    if not path.is_file():
        problems.add(path, 1, "quiz.yaml is missing: every course ends with a quiz")
        return []
    try:
        data = load_yaml(
            path.read_text(encoding="utf-8"), warn=lambda n, m: problems.warn(path, n, m)
        )
    except Exception as exc:  # YamlSyntaxError or UnicodeDecodeError
        problems.add(path, getattr(exc, "line", 1), getattr(exc, "message", str(exc)))
        return []
    homes = {key: "items" for key in ITEM_KEYS}
    quiz = Fields(data, path, problems, "quiz.yaml", {"items"}, homes=homes)
    seen: set[str] = set()
    items = [_read_item(entry, line, path, problems, seen) for line, entry in quiz.items("items")]
    if not items and "items" in quiz.data:
        quiz.error("items", "quiz.yaml: 'items' needs at least one item")
    return [item for item in items if item]


def quiz_advice(
    path: Path, problems: Problems, item_count: int, ce_hours: Decimal, threshold: int
) -> None:
    """Warn (without failing) where a quiz falls short of common accreditor guidance."""
    if ce_hours and item_count < APA_ITEMS_PER_HOUR * ce_hours:
        problems.warn(
            path,
            1,
            f"{item_count} items for {ce_hours} CE hours: APA recommends "
            f"{APA_ITEMS_PER_HOUR}-8 items per CE hour",
        )
    if threshold < APA_MIN_THRESHOLD:
        problems.warn(
            path,
            1,
            f"pass threshold {threshold}% is under APA's recommended "
            f"minimum of {APA_MIN_THRESHOLD}% for home study",
        )
