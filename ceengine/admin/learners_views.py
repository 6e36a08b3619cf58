"""Learners: find one by email or name, see everything about them, resend a certificate."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.admin.auth_views import admin_path
from ceengine.admin.forms import LearnerSearchForm, ResendForm
from ceengine.admin.learners import (
    MATCH_LIMIT,
    SHOWN,
    describe,
    learner_records,
    search_query,
    too_many_matches,
)
from ceengine.admin.paging import page_number, page_of
from ceengine.audit.trail import ACTIONS
from ceengine.certificates.services import CertificateError, resend_certificate_email
from ceengine.outbox.queue import ALREADY_QUEUED


@bp.get("/learners")
def learners() -> ResponseReturnValue:
    """Search learners by the start of their email, name or last name."""
    form = LearnerSearchForm(formdata=request.args)
    query = search_query(form.q.data or "") if form.validate() else None
    page = page_of(query, page_number(request.args), scalars=False) if query is not None else None
    status = 422 if form.errors else 200
    return render_template(
        "admin/learners.html",
        form=form,
        page=page,
        found=describe(page.items) if page else [],
        too_many=bool(page) and too_many_matches(form.q.data),
        match_limit=MATCH_LIMIT,
    ), status


@bp.get("/learners/<int(max=2147483647):learner_id>")
def learner(learner_id: int) -> ResponseReturnValue:
    """One learner: attempts, evaluations, certificates, orders, reflections, emails."""
    records = learner_records(learner_id)
    if records is None:
        abort(404)
    return render_template(
        "admin/learner.html",
        records=records,
        resend=ResendForm(formdata=None, key=secrets.token_urlsafe(16)),
        shown=SHOWN,
        action_names=ACTIONS,
    )


@bp.post("/certificates/<number>/resend")
def resend(number: str) -> ResponseReturnValue:
    """Email a valid certificate's link (and PDF) to the learner again."""
    form = ResendForm()
    back = admin_path(
        request.form.get("next"), url_for(".certificate", number=number), prefix="/admin/"
    )
    if not form.validate():
        flash(" ".join(form.key.errors) or "The form has expired: load the page again.", "warning")
        return redirect(back, 303)
    try:
        outcome = resend_certificate_email(number, form.key.data)
    except CertificateError as problem:
        flash(str(problem), "warning")
        return redirect(back, 303)
    if outcome.status == ALREADY_QUEUED:
        flash(f"The email for certificate {number} was already sent again.", "success")
    else:
        flash(f"The email for certificate {number} is on its way to the learner.", "success")
    return redirect(back, 303)
