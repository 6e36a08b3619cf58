"""The course and date-range filter every report and list takes from its query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from ceengine.admin.forms import FilterForm
from ceengine.courses.models import Course, CourseVersion
from ceengine.extensions import db
from ceengine.localtime import end_of_day, start_of_day


@dataclass(frozen=True)
class Filter:
    """Which course (None: all) and which days (inclusive, the sponsor's days in
    CEENGINE_TIMEZONE; None: open-ended)."""

    course_id: int | None = None
    start: date | None = None
    end: date | None = None
    q: str = ""
    status: str = ""

    def days(self, column: sa.ColumnElement[date]) -> list[sa.ColumnElement[bool]]:
        """Conditions on a date column."""
        conditions = []
        if self.start:
            conditions.append(column >= self.start)
        if self.end:
            conditions.append(column <= self.end)
        return conditions

    def moments(self, column: sa.ColumnElement[datetime]) -> list[sa.ColumnElement[bool]]:
        """Conditions on a timestamp column: from the start of the sponsor's day `start` to
        the end of its day `end`."""
        conditions = []
        if self.start:
            conditions.append(column >= start_of_day(self.start))
        if self.end and self.end < date.max:
            conditions.append(column < end_of_day(self.end))
        return conditions

    def args(self, **changes) -> dict:
        """The filter as query-string arguments (for links and exports), with `changes`."""
        values = {
            "course": self.course_id,
            "start": self.start,
            "end": self.end,
            "q": self.q,
            "status": self.status,
            **changes,
        }
        return {k: v for k, v in values.items() if v}


def course_choices() -> list[SelectChoice]:
    """Every course with its current title (including unpublished ones), for the filter."""
    rows = db.session.execute(
        sa.select(Course.id, Course.slug, CourseVersion.title)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(CourseVersion.title, Course.slug)
    )
    return [SelectChoice("", "All courses")] + [
        SelectChoice(str(i), title or slug) for i, slug, title in rows
    ]


def read_filter(
    args: MultiDict, statuses: list[tuple[str, str]] | None = None
) -> tuple[Filter, FilterForm]:
    """The filter in the query string, and its form (with errors for what is not valid).

    A part that is not valid (a date that is not a date, an end before the start, a search
    longer than the field takes) is left out and its error shown; the other parts still apply.
    """
    form = FilterForm(formdata=args)
    form.course.choices = course_choices()
    form.status.choices = [SelectChoice(value, label) for value, label in statuses or []]
    valid = form.validate() if args else True
    course = form.course.data
    course_id = (
        int(course)
        if course and course.isascii() and course.isdigit() and len(course) < 10
        else None
    )
    dates_ok = valid or not (form.start.errors or form.end.errors)
    start, end = (form.start.data, form.end.data) if dates_ok else (None, None)
    status = form.status.data or ""
    if status and statuses is not None and status not in {value for value, _ in statuses}:
        form.status.errors = [*form.status.errors, "That is not one of the choices."]
        status = ""
    q = "" if form.q.errors else form.q.data or ""  # never a 100,000-character LIKE pattern
    return Filter(course_id, start, end, q, status), form
