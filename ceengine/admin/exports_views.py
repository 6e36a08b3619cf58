"""The exports page and the CSV downloads."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.admin.exports import evaluations_csv, roster_csv
from ceengine.admin.filters import read_filter
from ceengine.admin.forms import FilterForm
from ceengine.admin.records import CERTIFICATE_STATUSES
from ceengine.errors import render_error
from ceengine.localtime import today


@bp.get("/exports")
def exports() -> ResponseReturnValue:
    """Choose a course and dates, then download the roster or the evaluations."""
    report_filter, form = read_filter(request.args, CERTIFICATE_STATUSES)
    return render_template("admin/exports.html", form=form, report_filter=report_filter)


def _csv(name: str, lines: Iterator[str]) -> Response:
    filename = f"ceengine-{name}-{today().isoformat()}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _refuse(form: FilterForm) -> tuple[str, int]:
    """An export never quietly drops a filter: a mistake in it is a 400 that says what."""
    problems = [f"{field.label.text}: {error}" for field in form for error in field.errors]
    return render_error(
        400, "This export's filter is not valid, so nothing was exported. " + " ".join(problems)
    )


@bp.get("/exports/roster.csv")
def roster() -> ResponseReturnValue:
    """The completion roster as CSV (one row per certificate)."""
    report_filter, form = read_filter(request.args, CERTIFICATE_STATUSES)
    if form.errors:
        return _refuse(form)
    return _csv("roster", roster_csv(report_filter))


@bp.get("/exports/evaluations.csv")
def evaluations_export() -> ResponseReturnValue:
    """Ratings and evaluations as CSV (one row per evaluation)."""
    report_filter, form = read_filter(request.args)
    if form.errors:
        return _refuse(form)
    return _csv("evaluations", evaluations_csv(report_filter))
