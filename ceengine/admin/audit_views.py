"""The audit trail in the console: a filtered list of every admin action, and its export.

Read only: no page or command edits or deletes an event (the database refuses it too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import render_template, request
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.admin.exports import BATCH, Export
from ceengine.admin.exports_views import refuse_filter, send_csv, send_xlsx
from ceengine.admin.filters import Filter, read_filter
from ceengine.admin.forms import FilterForm
from ceengine.admin.paging import page_number, page_of
from ceengine.audit.models import AuditEvent
from ceengine.audit.trail import ACTIONS, changes, events_query
from ceengine.extensions import db
from ceengine.localtime import local

ACTION_CHOICES = [("", "Any action")] + sorted(ACTIONS.items(), key=lambda pair: pair[1])
AUDIT_COLUMNS = [
    "when",
    "actor",
    "address",
    "action",
    "action_name",
    "target",
    "reason",
    "before",
    "after",
]


def _read_filter() -> tuple[Filter, FilterForm]:
    report_filter, form = read_filter(request.args, ACTION_CHOICES)
    form.status.label.text = "Action"
    return report_filter, form


def _query(report_filter: Filter):
    return events_query(report_filter.status, report_filter.q).where(
        *report_filter.moments(AuditEvent.at)
    )


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """Every admin action, newest first: filter by action, by who or what, and by dates."""
    report_filter, form = _read_filter()
    page = page_of(_query(report_filter), page_number(request.args))
    return render_template(
        "admin/audit.html",
        page=page,
        form=form,
        report_filter=report_filter,
        actions=ACTIONS,
        changes=changes,
    )


def _audit_data(report_filter: Filter) -> Export:
    query = (
        _query(report_filter)
        .order_by(None)
        .order_by(AuditEvent.at, AuditEvent.id)
        .execution_options(yield_per=BATCH)
    )

    def rows() -> Iterator[list]:
        for event in db.session.scalars(query):
            yield [
                local(event.at),
                event.actor,
                event.address,
                event.action,
                ACTIONS.get(event.action, event.action),
                event.target,
                event.reason,
                json.dumps(event.before, ensure_ascii=False) if event.before else "",
                json.dumps(event.after, ensure_ascii=False) if event.after else "",
            ]

    return Export(AUDIT_COLUMNS, rows())


@bp.get("/audit.csv")
def audit_csv() -> ResponseReturnValue:
    """The audit trail (as filtered) as CSV, oldest first."""
    report_filter, form = _read_filter()
    if form.errors:
        return refuse_filter(form)
    return send_csv("audit", _audit_data(report_filter))


@bp.get("/audit.xlsx")
def audit_xlsx() -> ResponseReturnValue:
    """The audit trail (as filtered) as an Excel workbook, oldest first."""
    report_filter, form = _read_filter()
    if form.errors:
        return refuse_filter(form)
    return send_xlsx("audit", _audit_data(report_filter), "Audit trail")
