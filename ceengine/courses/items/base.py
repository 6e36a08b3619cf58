"""What every quiz item type provides: reading, display, grading and the answer key."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from ceengine.courses.fields import Fields


class ItemType(ABC):
    """One kind of quiz item, answered by choosing one of its choices.

    A type reads its own keys of a quiz.yaml item (`read`); everything after that works on
    what it read and the database stores: the options (a list of text) and the answer (text).
    Pure: no Flask, no database, so the loader, grading and the answer key share it.
    """

    name: ClassVar[str]  # the `type:` of quiz.yaml, stored in quiz_items.kind
    summary_name: ClassVar[str]  # how `ceengine courses check` counts these items

    @abstractmethod
    def read(self, f: Fields) -> tuple[list[str], str | None]:
        """The options as stored and the correct answer (None after reporting a mistake)."""

    def choices(self, options: Sequence[str]) -> list[tuple[str, str]]:
        """(value sent by the form, label shown) for each choice, in the order shown."""
        return [(option, option) for option in options]

    def label(self, options: Sequence[str], value: str) -> str:
        """How an answer is shown to the learner (on the result page, in the answer key)."""
        return dict(self.choices(options)).get(value, value)

    def normalise(self, options: Sequence[str], submitted: str) -> str | None:
        """The answer a submitted value stands for; None when no honest form could send it."""
        return submitted if any(submitted == value for value, _ in self.choices(options)) else None

    def is_right(self, answer: str, chosen: str) -> bool:
        """Whether a (normalised) answer is the correct one."""
        return chosen == answer

    def key_answer(self, answer: str) -> object:
        """The answer as the exported answer key gives it."""
        return answer
