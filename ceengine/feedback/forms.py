"""The course evaluation form and the reflection form."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from ceengine.feedback.services import (
    COMMENTS_MAX,
    NAME_MAX,
    REFLECTION_MAX,
    EvaluationAnswers,
)
from ceengine.text import clean_text, printable, printable_lines

STAR_WORDS = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}
STARS = [
    SelectChoice(n, f"{n} star{'s' if n > 1 else ''}: {word}") for n, word in STAR_WORDS.items()
]
MET = [
    SelectChoice(n, label)
    for n, label in enumerate(
        ("Not at all", "Slightly", "Moderately", "Mostly", "Completely"), start=1
    )
]
RELEVANCE = [
    SelectChoice(n, label)
    for n, label in enumerate(
        (
            "Not relevant",
            "Slightly relevant",
            "Moderately relevant",
            "Very relevant",
            "Highly relevant",
        ),
        start=1,
    )
]
KNOWLEDGE = [SelectChoice(n, label) for n, label in STAR_WORDS.items()]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
OBJECTIVE_PREFIX = "objective_"


def _scale(label: str, choices: list, message: str) -> RadioField:
    return RadioField(label, choices=choices, coerce=int, validators=[InputRequired(message)])


class EvaluationForm(FlaskForm):
    """The questions every course evaluation asks; objectives are added per course."""

    rating = _scale(
        "Overall, how would you rate this course?", STARS, "Choose a star rating from 1 to 5."
    )
    relevance = _scale(
        "How relevant was this course to your practice?",
        RELEVANCE,
        "Say how relevant the course was to your practice.",
    )
    presenter_knowledge = _scale(
        "How would you rate the presenter's knowledge of the subject?",
        KNOWLEDGE,
        "Rate the presenter's knowledge.",
    )
    recommend = RadioField(
        "Would you recommend this course to a colleague?",
        choices=YES_NO,
        validators=[InputRequired("Say whether you would recommend it.")],
    )
    comments = TextAreaField(
        "Comments",
        validators=[
            Length(
                max=COMMENTS_MAX, message=f"Keep your comments under {COMMENTS_MAX} characters."
            ),
            printable_lines,
        ],
    )
    submit = SubmitField("Submit my evaluation")

    def objective_fields(self) -> list:
        """The per-objective questions, in the course's order."""
        return [field for field in self if field.name.startswith(OBJECTIVE_PREFIX)]

    def answers(self) -> EvaluationAnswers:
        """The answers, ready to store."""
        return EvaluationAnswers(
            rating=self.rating.data,
            relevance=self.relevance.data,
            presenter_knowledge=self.presenter_knowledge.data,
            recommend=self.recommend.data == "yes",
            comments=self.comments.data or "",
            objectives=tuple(field.data for field in self.objective_fields()),
        )


@lru_cache(maxsize=64)
def _form_class(objectives: tuple[str, ...]) -> type:
    class Form(EvaluationForm):
        pass

    for number, objective in enumerate(objectives, start=1):
        setattr(
            Form,
            f"{OBJECTIVE_PREFIX}{number}",
            _scale(objective, MET, f"Say how well objective {number} was met."),
        )
    return Form


def evaluation_form(objectives: Sequence[str], **kwargs) -> EvaluationForm:
    """The evaluation form for a course with these learning objectives."""
    return _form_class(tuple(objectives))(**kwargs)


class ReflectionForm(FlaskForm):
    """Share a reflection: the name to show, and the text."""

    form_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    display_name = StringField(
        "Your name as it should appear",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the name to show with your reflection."),
            Length(max=NAME_MAX, message=f"Keep the name under {NAME_MAX} characters."),
            printable,
        ],
    )
    body = TextAreaField(
        "Your reflection",
        validators=[
            DataRequired("Write your reflection before sharing it."),
            Length(
                max=REFLECTION_MAX,
                message=f"Keep your reflection under {REFLECTION_MAX} characters.",
            ),
            printable_lines,
        ],
    )
    submit = SubmitField("Share my reflection")
