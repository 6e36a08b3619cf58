"""Multiple-choice items: 2 to 6 distinct options; the answer is one option's text."""

from __future__ import annotations

from ceengine.courses.fields import Fields
from ceengine.courses.items.base import ItemType

MIN_OPTIONS, MAX_OPTIONS = 2, 6


class MultipleChoice(ItemType):
    """A question with one correct option among several."""

    name = "multiple_choice"
    summary_name = "multiple choice"

    def read(self, f: Fields) -> tuple[list[str], str | None]:
        """The options in the author's order, and the one the answer names."""
        options = f.texts("options")
        if len(options) < MIN_OPTIONS or len(options) > MAX_OPTIONS:
            f.error(
                "options",
                f"{f.what}: a multiple_choice item needs {MIN_OPTIONS} to "
                f"{MAX_OPTIONS} options, not {len(options)}",
            )
        if len(set(options)) != len(options):
            f.error("options", f"{f.what}: options must all be different")
        answer = f.raw("answer", required=True)
        if isinstance(answer, str) and answer.strip() in options:
            return options, answer.strip()
        f.error(
            "answer", f"{f.what}: 'answer' must be the text of one of the options, not {answer!r}"
        )
        return options, None
