"""Quiz item types live in one registry: a new type is one module plus its registration.

The toy type below is defined and registered only here, and the quiz file reader, grading,
the quiz form, its template and the result labels all handle it without knowing its name.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import render_template
from werkzeug.datastructures import MultiDict

from ceengine.courses.fields import MISSING, Fields
from ceengine.courses.items import ITEM_TYPES, ItemType
from ceengine.courses.models import QuizItem
from ceengine.courses.problems import Problems
from ceengine.courses.quizfile import read_quiz
from ceengine.quizzes.forms import check_not_tampered, quiz_form
from ceengine.quizzes.grading import InvalidResponse, ItemKey, grade
from ceengine.quizzes.policy import Availability
from ceengine.quizzes.services import TamperedForm
from tests.support.app import make_app


class YesNo(ItemType):
    """A toy type: stores y or n, shows Yes and No, forgives case and spaces when graded."""

    name = "yes_no"
    summary_name = "yes/no"

    def read(self, f: Fields) -> tuple[list[str], str | None]:
        answer = f.raw("answer", required=True)
        if isinstance(answer, bool):
            return ["y", "n"], "y" if answer else "n"
        if answer is not MISSING:
            f.error("answer", f"{f.what}: 'answer' must be yes or no, not {answer!r}")
        return ["y", "n"], None

    def choices(self, options):
        return [(option, {"y": "Yes", "n": "No"}[option]) for option in options]

    def normalise(self, options, submitted):
        answer = submitted.strip().lower()
        return answer if answer in options else None


QUIZ = """items:
  - id: toy
    type: yes_no
    statement: Is this a toy item?
    answer: true
    explanation: It is defined in a test.
    section: toys
  - id: broken
    type: yes_no
    statement: Can an answer be perhaps?
    answer: perhaps
    explanation: No.
    section: toys
"""


@pytest.fixture
def yes_no(monkeypatch):
    """The toy type, registered for one test."""
    monkeypatch.setitem(ITEM_TYPES, YesNo.name, YesNo())


def _toy_item() -> QuizItem:
    return QuizItem(
        id=1,
        key="toy",
        position=1,
        kind="yes_no",
        statement="Is this a toy item?",
        options=["y", "n"],
        answer="y",
        explanation="",
        section="toys",
        module="m",
    )


def test_a_registered_type_is_read_from_the_quiz_file_with_its_own_mistakes(yes_no, tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(QUIZ)
    problems = Problems()
    items = read_quiz(path, problems)
    assert [(i["key"], i["kind"], i["options"], i["answer"]) for i in items] == [
        ("toy", "yes_no", ["y", "n"], "y")
    ]
    assert [(p.line, p.message) for p in problems.errors] == [
        (11, "item 'broken': 'answer' must be yes or no, not 'perhaps'")
    ]


def test_an_unregistered_type_is_refused_by_name(tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(QUIZ)
    problems = Problems()
    read_quiz(path, problems)
    assert "item 'toy': 'type' must be one of true_false, multiple_choice, not 'yes_no'" in [
        p.message for p in problems.errors
    ]


def test_a_registered_type_is_graded_by_its_own_rules(yes_no):
    keys = [
        ItemKey(1, ("y", "n"), "y", "yes_no"),
        ItemKey(2, ("True", "False"), "True", "true_false"),
    ]
    result = grade(keys, {1: " Y ", 2: "False"}, 50)
    assert (result.correct, result.passed) == (1, True)
    assert [(r.chosen, r.correct) for r in result.items] == [("y", True), ("False", False)]
    with pytest.raises(InvalidResponse):
        grade(keys, {1: "maybe", 2: "True"}, 50)


def test_a_registered_type_is_shown_with_its_labels(yes_no, tmp_path, courses_dir):
    app = make_app(f"sqlite:///{tmp_path / 'app.db'}", courses_dir)
    item = _toy_item()
    with app.test_request_context():
        form = quiz_form([item], form_key="k" * 16, version="1")
        html = render_template(
            "quizzes/_form.html",
            form=form,
            course={"slug": "toy-course"},
            availability=Availability(True),
            confirmation={"needed": False},
        )
        check_not_tampered(MultiDict({"item-1": "n"}), [item])
        with pytest.raises(TamperedForm):
            check_not_tampered(MultiDict({"item-1": "True"}), [item])
    assert re.findall(r'value="([yn])"[^>]*> <label for="item-1-\d">(\w+)</label>', html) == [
        ("y", "Yes"),
        ("n", "No"),
    ]
    assert (item.label_of("y"), item.label_of("n")) == ("Yes", "No")


def test_the_database_accepts_exactly_the_registered_item_types():
    """A new type also needs a migration widening quiz_items' kind check (and the model's)."""
    (check,) = [
        c
        for c in QuizItem.__table__.constraints
        if isinstance(c, sa.CheckConstraint) and str(c.name).endswith("kind_known")
    ]
    assert re.findall(r"'(\w+)'", str(check.sqltext)) == list(ITEM_TYPES)
