"""What a course version holds that never changes, kept once per process (LRU by version).

A stored version never changes: a new content hash makes a new version with a new id, and a
restored one keeps its old id and hash. So what depends only on the version — its typed
content, its quiz items, the HTML rendered from them — is read from the database and built
once per process, then served from here. Entries are keyed by (version id, content hash),
so a course sync is seen on the next request: it points the course at another version, whose
key has never been cached. The cache is per app (`app.extensions`) and bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, has_app_context

from ceengine.courses.content import CourseContent
from ceengine.courses.items import ItemType, item_type
from ceengine.extensions import db

if TYPE_CHECKING:
    from ceengine.courses.models import CourseVersion

_EXTENSION = "ceengine.version_snapshots"
DEFAULT_SIZE = 64  # versions kept per process; a sponsor publishes a few dozen courses


@dataclass(frozen=True)
class Item:
    """One quiz item as stored (a read-only copy of its quiz_items row)."""

    id: int
    key: str
    position: int
    kind: str
    statement: str
    options: tuple[str, ...]
    answer: str
    explanation: str
    section: str
    module: str

    @property
    def item_type(self) -> ItemType:
        """This item's type (`kind` is its name): choices, accepted answers, labels."""
        return item_type(self.kind)

    def label_of(self, answer: str) -> str:
        """How an answer to this item is shown to the learner."""
        return self.item_type.label(self.options, answer)


class Snapshot:
    """One version's typed content, its items (read on first use) and rendered fragments."""

    def __init__(self, version_id: int, spec: CourseContent) -> None:
        self.version_id = version_id
        self.spec = spec
        self._items: tuple[Item, ...] | None = None
        self._fragments: dict[Hashable, Any] = {}
        self.size = len(repr(spec))  # a rough measure of what it holds, for the bench

    @property
    def items(self) -> tuple[Item, ...]:
        """The version's quiz items in their stored order."""
        if self._items is None:
            from ceengine.courses.models import QuizItem

            rows = db.session.execute(
                sa.select(
                    QuizItem.id,
                    QuizItem.key,
                    QuizItem.position,
                    QuizItem.kind,
                    QuizItem.statement,
                    QuizItem.options,
                    QuizItem.answer,
                    QuizItem.explanation,
                    QuizItem.section,
                    QuizItem.module,
                )
                .where(QuizItem.version_id == self.version_id)
                .order_by(QuizItem.position)
            )
            self._items = tuple(Item(*row[:5], tuple(row.options), *row[6:]) for row in rows)
        return self._items

    def fragment(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """What `build` makes for this version under `key`, built once (e.g. rendered HTML)."""
        found = self._fragments.get(key)
        if found is None:
            found = self._fragments[key] = build()
            if isinstance(found, str):
                self.size += len(found)
        return found


class BoundedCache:
    """A bounded, thread-safe LRU: the value under a key, built once while it stays in."""

    def __init__(self, size: int, measure: Callable[[Any], int] = lambda _value: 0) -> None:
        self.size = size
        self._measure = measure  # roughly how many bytes a value holds, for the bench
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value under `key`, built (outside the lock) when absent."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = build()
        with self._lock:
            self._entries[key] = found
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._entries)

    def held_bytes(self) -> int:
        """Roughly how much the cached values hold."""
        with self._lock:
            return sum(self._measure(value) for value in self._entries.values())


def app_cache(
    name: str, size: int, measure: Callable[[Any], int] = lambda _value: 0
) -> BoundedCache:
    """This app's BoundedCache called `name` (made on first use): each app keeps its own."""
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions.setdefault(name, BoundedCache(size, measure))
    return cache


def snapshot_cache() -> BoundedCache:
    """This app's snapshots (sized by VERSION_CACHE_SIZE)."""
    size = current_app.config.get("VERSION_CACHE_SIZE") or DEFAULT_SIZE
    return app_cache(_EXTENSION, size, lambda snapshot: snapshot.size)


def snapshot_of(version: CourseVersion) -> Snapshot:
    """The cached snapshot of a stored version (its content is read only on a miss)."""
    return snapshot_cache().get(
        (version.id, version.content_hash),
        lambda: Snapshot(version.id, CourseContent.from_json(version.content)),
    )


def is_cacheable(version: CourseVersion) -> bool:
    """Whether `version` is stored and an app is there to hold its snapshot."""
    return version.id is not None and version.content_hash is not None and has_app_context()
