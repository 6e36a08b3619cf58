"""The exports page, the CSV and .xlsx downloads and the CE Broker roster (Florida)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ceengine.admin import bp
from ceengine.admin.ce_broker import (
    OVERDUE,
    ROSTER_STATUSES,
    RosterChanged,
    ce_broker_roster,
    mark_reported,
)
from ceengine.admin.ce_broker_file import roster_xls
from ceengine.admin.exports import (
    Export,
    csv_lines,
    evaluations_data,
    roster_data,
)
from ceengine.admin.filters import Filter, read_filter
from ceengine.admin.forms import CeBrokerReportedForm, FilterForm
from ceengine.admin.orders_export import orders_data
from ceengine.admin.records import CERTIFICATE_STATUSES, ORDER_STATUSES
from ceengine.admin.workbook import xlsx_chunks
from ceengine.audit import trail as audit
from ceengine.errors import render_error
from ceengine.extensions import db
from ceengine.localtime import today


@bp.get("/exports")
def exports() -> ResponseReturnValue:
    """Choose a course and dates, then download the roster or the evaluations."""
    report_filter, form = read_filter(request.args, CERTIFICATE_STATUSES)
    return render_template(
        "admin/exports.html", form=form, report_filter=report_filter, bom=_wants_bom()
    )


def _wants_bom() -> bool:
    """`bom=1` in the query string: the CSV starts with a byte-order mark, for Excel."""
    return request.args.get("bom") == "1"


def _audited(filename: str) -> None:
    """Record the download (which export, with which filter) before anything is sent."""
    audit.record("export", filename, after=request.args.to_dict())
    db.session.commit()


def send_csv(name: str, export: Export) -> Response:
    _audited(f"{name}.csv")
    filename = f"ceengine-{name}-{today().isoformat()}.csv"
    return Response(
        stream_with_context(csv_lines(export, bom=_wants_bom())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(name: str, export: Export, title: str) -> Response:
    """The workbook, streamed as its rows are read (ceengine/admin/workbook.py). A failure
    part-way ends the download unfinished, which the browser reports as failed."""
    _audited(f"{name}.xlsx")
    filename = f"ceengine-{name}-{today().isoformat()}.xlsx"
    return Response(
        stream_with_context(xlsx_chunks(export, title)),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def refuse_filter(form: FilterForm) -> tuple[str, int]:
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
        return refuse_filter(form)
    return send_csv("roster", roster_data(report_filter))


@bp.get("/exports/roster.xlsx")
def roster_xlsx() -> ResponseReturnValue:
    """The completion roster as an Excel workbook (one row per certificate)."""
    report_filter, form = read_filter(request.args, CERTIFICATE_STATUSES)
    if form.errors:
        return refuse_filter(form)
    return send_xlsx("roster", roster_data(report_filter), "Completion roster")


@bp.get("/exports/evaluations.csv")
def evaluations_export() -> ResponseReturnValue:
    """Ratings and evaluations as CSV (one row per evaluation)."""
    report_filter, form = read_filter(request.args)
    if form.errors:
        return refuse_filter(form)
    return send_csv("evaluations", evaluations_data(report_filter))


@bp.get("/exports/evaluations.xlsx")
def evaluations_xlsx() -> ResponseReturnValue:
    """Ratings and evaluations as an Excel workbook (one row per evaluation)."""
    report_filter, form = read_filter(request.args)
    if form.errors:
        return refuse_filter(form)
    return send_xlsx("evaluations", evaluations_data(report_filter), "Evaluations")


def _orders_filter() -> tuple[Filter, ResponseReturnValue | None]:
    """The orders page's filter, or the 400 that refuses it (a bad date or status)."""
    report_filter, form = read_filter(request.args, ORDER_STATUSES)
    return report_filter, refuse_filter(form) if form.errors else None


@bp.get("/exports/orders.csv")
def orders_export() -> ResponseReturnValue:
    """The orders as CSV (one row per order, the orders page's filter)."""
    report_filter, refused = _orders_filter()
    return refused or send_csv("orders", orders_data(report_filter))


@bp.get("/exports/orders.xlsx")
def orders_xlsx() -> ResponseReturnValue:
    """The orders as an Excel workbook (one row per order, the orders page's filter)."""
    report_filter, refused = _orders_filter()
    return refused or send_xlsx("orders", orders_data(report_filter), "Orders")


def _ce_broker_page(
    report_filter: Filter, form: FilterForm, status: int = 200, problem: str = ""
) -> tuple[str, int]:
    roster = ce_broker_roster(report_filter)
    return render_template(
        "admin/ce_broker.html",
        roster=roster,
        form=form,
        report_filter=report_filter,
        mark_form=CeBrokerReportedForm(formdata=None, ids=roster.ids),
        show_reported=request.args.get("reported") == "1",
        overdue=report_filter.status == OVERDUE,
        problem=problem,
    ), status


@bp.get("/exports/ce-broker")
def ce_broker() -> ResponseReturnValue:
    """Florida completions in some dates: ready for CE Broker, refused (and why), reported
    (`status=overdue`: only those not reported within 30 days)."""
    report_filter, form = read_filter(request.args, ROSTER_STATUSES)
    if form.errors:
        return refuse_filter(form)
    return _ce_broker_page(report_filter, form)


@bp.get("/exports/ce-broker.xls")
def ce_broker_xls() -> ResponseReturnValue:
    """CE Broker's Excel roster of the ready rows, perhaps none (with `digest`: only if the
    page still shows the same rows)."""
    report_filter, form = read_filter(request.args, ROSTER_STATUSES)
    if form.errors:
        return refuse_filter(form)
    roster = ce_broker_roster(report_filter)
    digest = request.args.get("digest")
    if digest is not None and digest != roster.digest:
        return render_error(
            409,
            "The completions ready for CE Broker changed since the page was shown (a new "
            "completion, a revocation or another admin's mark), so nothing was downloaded. "
            "Open the CE Broker page again and download from there.",
        )
    _audited("ce-broker.xls")
    filename = f"ceengine-ce-broker-{today().isoformat()}.xls"
    provider_number = roster.ce_broker.provider_number if roster.ce_broker else ""
    return Response(
        roster_xls(provider_number, roster.ready),  # no row without a provider number
        mimetype="application/vnd.ms-excel",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/exports/ce-broker/reported")
def ce_broker_reported() -> ResponseReturnValue:
    """The admin uploaded the roster to CE Broker: mark exactly its completions as reported."""
    report_filter, form = read_filter(request.args, ROSTER_STATUSES)
    if form.errors:
        return refuse_filter(form)
    mark = CeBrokerReportedForm()  # CSRFProtect has already checked the token
    if not mark.validate():
        return render_error(422, " ".join(e for errors in mark.errors.values() for e in errors))
    try:
        count = mark_reported(report_filter, mark.certificate_ids(), current_user.user.id)
    except RosterChanged as problem:
        return _ce_broker_page(report_filter, form, status=409, problem=str(problem))
    flash(
        f"Marked {count} completion{'s' if count != 1 else ''} as reported to CE Broker."
        if count
        else "These completions were already marked as reported; nothing changed.",
        "success",
    )
    return redirect(url_for(".ce_broker", **report_filter.args()), 303)
