"""Admin lists that act on records: reflections to moderate, certificates, orders."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.admin.auth_views import admin_path
from ceengine.admin.filters import read_filter
from ceengine.admin.forms import ReasonForm, ReissueForm, ResendForm, RevokeForm, first_error
from ceengine.admin.overview import order_figures
from ceengine.admin.paging import page_number, page_of
from ceengine.admin.records import (
    CERTIFICATE_STATUSES,
    ORDER_STATUSES,
    REFLECTION_STATUSES,
    certificates_query,
    orders_query,
    reflections_query,
    study_time,
)
from ceengine.billing.problems import order_notes
from ceengine.certificates.edition import credit_plan
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.services import (
    CannotChange,
    CertificateError,
    NoLongerValid,
    find_certificate,
    reissue_certificate,
    revoke_certificate,
)
from ceengine.certificates.signing_key import SigningNotConfigured
from ceengine.config import payments_enabled
from ceengine.errors import render_error
from ceengine.extensions import db
from ceengine.feedback.models import APPROVED, HIDDEN, Reflection
from ceengine.feedback.services import FeedbackError, delete_reflection, moderate_reflection

MODERATION = {"approve": (APPROVED, "approved"), "hide": (HIDDEN, "hidden")}


def _back_to_reflections():
    return redirect(
        admin_path(request.form.get("next"), url_for(".reflections"), prefix="/admin/reflections"),
        303,
    )


@bp.get("/reflections")
def reflections() -> ResponseReturnValue:
    """Reflections to moderate (waiting ones first), or any status."""
    report_filter, form = read_filter(request.args, REFLECTION_STATUSES)
    page = page_of(reflections_query(report_filter), page_number(request.args), scalars=False)
    return render_template(
        "admin/reflections.html",
        page=page,
        form=form,
        report_filter=report_filter,
        action_form=ReasonForm(formdata=None),
    )


@bp.post("/reflections/<int(max=2147483647):reflection_id>/<any(approve, hide):action>")
def moderate(reflection_id: int, action: str) -> ResponseReturnValue:
    """Approve a reflection (it shows on the course page) or hide it."""
    status, word = MODERATION[action]
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_error(422, first_error(form))
    try:
        reflection = moderate_reflection(reflection_id, status, form.reason.data or "")
    except FeedbackError as problem:
        flash(str(problem), "warning")
    else:
        flash(f"The reflection by {reflection.display_name} is now {word}.", "success")
    return _back_to_reflections()


@bp.route("/reflections/<int(max=2147483647):reflection_id>/delete", methods=["GET", "POST"])
def delete(reflection_id: int) -> ResponseReturnValue:
    """Delete a reflection for good, after a confirmation page."""
    reflection = db.session.get(Reflection, reflection_id)
    form = ReasonForm()
    if form.validate_on_submit():
        deleted = delete_reflection(reflection_id, form.reason.data or "")
        flash(
            "The reflection has been deleted."
            if deleted
            else "That reflection had already been deleted.",
            "success",
        )
        return _back_to_reflections()
    if reflection is None:
        abort(404)
    status = 422 if form.errors else 200
    return render_template("admin/delete_reflection.html", reflection=reflection, form=form), status


@bp.get("/certificates")
def certificates() -> ResponseReturnValue:
    """Find certificates by number, name or email."""
    report_filter, form = read_filter(request.args, CERTIFICATE_STATUSES)
    page = page_of(certificates_query(report_filter), page_number(request.args))
    return render_template(
        "admin/certificates.html", page=page, form=form, report_filter=report_filter
    )


def _certificate_or_404(number: str) -> Certificate:
    certificate = find_certificate(number)
    if certificate is None:
        abort(404)
    return certificate


def _license_required(certificate: Certificate) -> frozenset[str]:
    """The license details this certificate must keep printing: all three where the course
    requires them, else those an approval covering it needs (as when it was issued)."""
    if certificate.version.spec.certificate.license_details == "required":
        return frozenset(("license_type", "license_number", "license_state"))
    moment = certificate.attested_at or certificate.issued_at
    return credit_plan(certificate.attempt, moment).required_details


def reissue_form(certificate: Certificate, submitted: bool = False) -> ReissueForm:
    """The reissue form: as posted, or filled in with what the certificate prints now."""
    if submitted:
        form = ReissueForm()
    else:
        form = ReissueForm(
            formdata=None,
            full_name=certificate.full_name,
            email=certificate.email,
            profession=certificate.profession,
            license_type=certificate.license_type,
            license_number=certificate.license_number,
            license_state=certificate.license_state,
        )
    return form.require_license(_license_required(certificate))


def _certificate_page(
    certificate: Certificate,
    revoke: RevokeForm | None = None,
    reissue: ReissueForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "admin/certificate.html",
        certificate=certificate,
        study=study_time(certificate.attempt),
        revoke=revoke or RevokeForm(formdata=None),
        reissue=reissue or reissue_form(certificate),
        resend=ResendForm(formdata=None, key=secrets.token_urlsafe(16)),
    ), status


def _no_longer_valid(certificate: Certificate) -> tuple[str, int]:
    """The page again, saying why: a revoked or superseded certificate is not changed again
    (another tab, or another admin, got there first)."""
    flash(
        f"Certificate {certificate.number} is {certificate.status}: nothing was changed.", "warning"
    )
    return _certificate_page(certificate, status=409)


@bp.get("/certificates/<number>")
def certificate(number: str) -> ResponseReturnValue:
    """One certificate: its details, and forms to revoke or reissue it."""
    return _certificate_page(_certificate_or_404(number))


@bp.post("/certificates/<number>/revoke")
def revoke(number: str) -> ResponseReturnValue:
    """Revoke a certificate with a reason (after ticking the confirmation)."""
    certificate = _certificate_or_404(number)
    form = RevokeForm()
    if not form.validate():
        if certificate.status != VALID:  # its page has no form to show the errors on
            return _no_longer_valid(certificate)
        return _certificate_page(certificate, revoke=form, status=422)
    try:
        revoke_certificate(
            certificate.number, form.reason.data, email_learner=form.email_learner.data
        )
    except NoLongerValid:
        return _no_longer_valid(certificate)
    except CertificateError as problem:
        flash(str(problem), "warning")
    else:
        emailed = (
            f" The learner is emailed at {certificate.email}." if form.email_learner.data else ""
        )
        flash(f"Certificate {certificate.number} is revoked.{emailed}", "success")
    return redirect(url_for(".certificate", number=certificate.number), 303)


@bp.post("/certificates/<number>/reissue")
def reissue(number: str) -> ResponseReturnValue:
    """Reissue with corrected details and a reason: a new number, emailed if ticked."""
    certificate = _certificate_or_404(number)
    form = reissue_form(certificate, submitted=True)
    if not form.validate():
        if certificate.status != VALID:  # its page has no form to show the errors on
            return _no_longer_valid(certificate)
        return _certificate_page(certificate, reissue=form, status=422)
    try:
        new = reissue_certificate(
            certificate.number,
            reason=form.reason.data,
            email_learner=form.email_learner.data,
            **form.corrections(),
        )
    except NoLongerValid:
        return _no_longer_valid(certificate)
    except CannotChange as problem:
        flash(str(problem), "warning")
        return _certificate_page(certificate, reissue=form, status=422)
    except (CertificateError, SigningNotConfigured) as problem:
        flash(str(problem), "warning")
        return redirect(url_for(".certificate", number=certificate.number), 303)
    emailed = (
        f" The new link was emailed to {new.email}. The email says what changed and why."
        if form.email_learner.data
        else " No email was sent."
    )
    flash(
        f"Reissued as {new.number}; {certificate.number} now shows Superseded.{emailed}",
        "success",
    )
    return redirect(url_for(".certificate", number=new.number), 303)


@bp.get("/orders")
def orders() -> ResponseReturnValue:
    """Orders with status and amount, and the dates' totals per course: paid, revenue,
    refunds, disputes (payments are on when the Stripe keys are set)."""
    report_filter, form = read_filter(request.args, ORDER_STATUSES)
    page = page_of(orders_query(report_filter), page_number(request.args), scalars=False)
    courses, total = order_figures(report_filter)
    return render_template(
        "admin/orders.html",
        page=page,
        form=form,
        report_filter=report_filter,
        order_notes=order_notes,
        payments_on=payments_enabled(current_app.config),
        courses=courses,
        total=total,
    )
