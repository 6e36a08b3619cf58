"""True/false items: `answer: true` or `false`; the learner chooses True or False."""

from __future__ import annotations

from ceengine.courses.fields import BOOLEAN_WORDS, MISSING, Fields, written
from ceengine.courses.items.base import ItemType

OPTIONS = ["True", "False"]


class TrueFalse(ItemType):
    """A statement the learner marks True or False."""

    name = "true_false"
    summary_name = "true/false"

    def read(self, f: Fields) -> tuple[list[str], str | None]:
        """True and False, and the correct one from the YAML boolean."""
        if "options" in f.data:
            f.error("options", "true_false items have no 'options' (they are True and False)")
        answer = f.raw("answer", required=True)
        if answer is MISSING:
            return list(OPTIONS), None
        if isinstance(answer, str) and answer.strip().lower() in BOOLEAN_WORDS:
            answer = BOOLEAN_WORDS[answer.strip().lower()]
        if isinstance(answer, bool):
            return list(OPTIONS), "True" if answer else "False"
        f.error(
            "answer",
            f"{f.what}: answer must be true or false; you wrote {written(answer)}. Write "
            "answer: true when the statement is true, answer: false when it is false",
        )
        return list(OPTIONS), None

    def key_answer(self, answer: str) -> object:
        """Accreditors get true/false answers as booleans."""
        return answer == "True"
