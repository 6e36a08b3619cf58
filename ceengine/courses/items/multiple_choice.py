"""Multiple-choice items: 2 to 6 distinct options; the answer is one option's text."""

from __future__ import annotations

import difflib

from ceengine.courses.fields import MISSING, Fields, written
from ceengine.courses.items.base import ItemType
from ceengine.courses.yamlfile import as_yaml_text

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
        if answer is not MISSING:
            f.error("answer", f"{f.what}: {_answer_advice(answer, options)}")
        return options, None


def _answer_advice(answer: object, options: list[str]) -> str:
    """Why `answer` names no option, with the option it most likely means."""
    message = (
        f"'answer' must be the text of one of the options, written exactly as the option; "
        f"you wrote {written(answer)}"
    )
    typed = written(answer).strip().casefold()
    close = [option for option in options if option.casefold() == typed]
    close = close or difflib.get_close_matches(written(answer).strip(), options, n=1, cutoff=0.6)
    if close:
        return f"{message}. Did you mean answer: {as_yaml_text(close[0])}?"
    return f"{message} (options: {'; '.join(options)})"
