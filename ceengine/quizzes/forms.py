"""The quiz form: one radio group per item, of the choices its item type gives."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp

from ceengine.courses.snapshots import Item
from ceengine.quizzes.services import TamperedForm

ITEM_PREFIX = "item-"


class QuizForm(FlaskForm):
    """The fixed part of every quiz form."""

    form_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    version = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]{1,10}$")])
    submit = SubmitField("Score My Quiz")


Choices = tuple[tuple[str, str], ...]  # (value, label) pairs, as the item type gives them


@lru_cache(maxsize=512)
def _form_class(fields: tuple[tuple[int, str, Choices], ...]) -> type:
    """One form class per set of items: building classes per request is slow."""

    class Form(QuizForm):
        pass

    for item_id, statement, choices in fields:
        field = RadioField(
            statement,
            choices=[SelectChoice(*choice) for choice in choices],
            validators=[InputRequired(message="has no answer yet.")],
        )
        setattr(Form, f"{ITEM_PREFIX}{item_id}", field)
    return Form


def quiz_form(items: list[Item], formdata: MultiDict | None = None, **data) -> QuizForm:
    """A form with a required radio group for each item, in the order shown."""
    fields = tuple(
        sorted(
            (item.id, item.statement, tuple(item.item_type.choices(item.options))) for item in items
        )
    )
    form_class = _form_class(fields)
    form = form_class(formdata=formdata, **data) if formdata is not None else form_class(**data)
    form.item_fields = []
    for number, item in enumerate(items, start=1):
        field = form[f"{ITEM_PREFIX}{item.id}"]
        field.number = number
        form.item_fields.append(field)
    return form


def check_not_tampered(formdata: MultiDict, items: list[Item]) -> None:
    """Refuse answers for items that are not in this quiz, or that their type never accepts."""
    by_name = {f"{ITEM_PREFIX}{item.id}": item for item in items}
    for name in formdata:
        if not name.startswith(ITEM_PREFIX):
            continue
        item = by_name.get(name)
        if item is None:
            raise TamperedForm(
                "The form answered a question that is not part of this quiz. "
                "Please reload the course page and answer the quiz again."
            )
        values = formdata.getlist(name)
        if len(values) != 1 or item.item_type.normalise(item.options, values[0]) is None:
            raise TamperedForm(
                "The form sent an answer that is not one of the choices. "
                "Please reload the course page and answer the quiz again."
            )


def responses_of(form: QuizForm, items: list[Item]) -> dict[int, str]:
    """Item id -> chosen option, from a validated form."""
    return {item.id: form[f"{ITEM_PREFIX}{item.id}"].data for item in items}


def carried_over_form(
    formdata: MultiDict,
    old_items: list[Item],
    items: list[Item],
    form_key: str,
    version: int,
) -> QuizForm:
    """A form for the current version, keeping each answer the same statement still accepts."""
    current = {}
    for item in items:
        current.setdefault(item.statement, item)
    data = MultiDict({"form_key": form_key, "version": str(version)})
    for old in old_items:
        chosen, item = formdata.get(f"{ITEM_PREFIX}{old.id}"), current.get(old.statement)
        if chosen is not None and item is not None:
            answer = item.item_type.normalise(item.options, chosen)
            if answer is not None:
                data[f"{ITEM_PREFIX}{item.id}"] = answer
    return quiz_form(items, data)


class ConfirmEmailRequestForm(FlaskForm):
    """The address a course that limits attempts counts them by."""

    email = EmailField(
        "Your email address",
        filters=[lambda v: (v or "").strip()],
        validators=[
            DataRequired("Enter your email address."),
            Email(
                "Enter an email address like name@example.org.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
            Length(max=254, message="Keep the address under 254 characters."),
        ],
    )
    send = SubmitField("Email me a confirmation link")


class ConfirmEmailForm(FlaskForm):
    """The button that uses a confirmation link (a GET alone never does: mail scanners)."""

    confirm = SubmitField("Confirm my email on this browser")
