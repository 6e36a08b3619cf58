"""Getting a certificate: the details form with its preview, the certificate page, the PDF."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ceengine.certificates import bp
from ceengine.certificates.forms import LICENSE_FIELDS, details_form
from ceengine.certificates.mail import issued_notice, send_certificate_link
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.printing import certificate_data
from ceengine.certificates.services import (
    PaymentRequired,
    find_certificate,
    issue_certificate,
    latest_certificate,
    learner_details_on_file,
    payment_due,
    stored_pdf,
)
from ceengine.certificates.tokens import certificate_token, number_from_token
from ceengine.errors import render_error
from ceengine.extensions import limiter
from ceengine.feedback.services import evaluation_due
from ceengine.learners.identity import current_learner
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.services import attempt_for

PREVIEW_NUMBER = "Assigned when issued"


def _passed_attempt(public_id: str) -> Attempt:
    attempt = attempt_for(public_id, current_learner())
    if attempt is None or not attempt.passed:
        abort(404)
    return attempt


def _saved_details(attempt: Attempt) -> dict[str, str]:
    from ceengine.billing.services import order_for_attempt  # billing builds on certificates

    order = order_for_attempt(attempt)
    return order.details if order else learner_details_on_file(attempt.learner_id)


def _form_for(attempt: Attempt):
    certificate = attempt.version.content["certificate"]
    label = "Continue to payment" if payment_due(attempt) else "Issue certificate"
    form = details_form(certificate.get("license_details", "none"), label)
    if not form.is_submitted():
        for name, value in _saved_details(attempt).items():
            if name in form:
                form[name].data = value
    return form


def _checkout(attempt: Attempt, form):
    from ceengine.billing.services import OrderClosed, PaymentUnavailable, start_checkout

    try:
        destination = start_checkout(attempt, current_learner(), form.details())
    except PaymentUnavailable as unavailable:
        return _page(attempt, form, 503, notice=str(unavailable))
    except OrderClosed as closed:  # refunded, disputed, a payment that did not match
        return _page(attempt, form, 409, notice=str(closed))
    if isinstance(destination, str):
        return redirect(destination, 303)  # Stripe's hosted Checkout page
    return redirect(url_for(".certificate", token=certificate_token(destination.number)), 303)


def _page(attempt: Attempt, form, status: int = 200, notice: str | None = None):
    details = form.details() if form.full_name.data and not form.errors else None
    preview = certificate_data(attempt, details, PREVIEW_NUMBER) if details else None
    return render_template("certificates/details.html", attempt=attempt, form=form,
                           course=attempt.version.content, preview=preview, notice=notice,
                           payment_due=payment_due(attempt),
                           license_fields=[form[n] for n in LICENSE_FIELDS if n in form]), status


@bp.route("/attempts/<public_id>/certificate", methods=["GET", "POST"])
def details(public_id: str):
    """Get my certificate: the details form, its preview, and Issue certificate."""
    attempt = _passed_attempt(public_id)
    existing = latest_certificate(attempt)
    if existing is not None:
        return redirect(url_for(".certificate", token=certificate_token(existing.number)), 303)
    if evaluation_due(attempt):  # accreditors expect an evaluation before credit
        return redirect(url_for("feedback.evaluation", public_id=public_id), 303)
    form = _form_for(attempt)
    if not form.is_submitted():
        return _page(attempt, form)
    if not form.validate():
        return _page(attempt, form, 422)
    if not form.issue.data:
        return _page(attempt, form)
    if payment_due(attempt):
        return _checkout(attempt, form)
    emailed = []  # queued in the certificate's own transaction: issued and emailed, or neither

    def email_link(issued: Certificate) -> None:
        emailed.append(send_certificate_link(issued, client=request.remote_addr or "unknown",
                                               commit=False))

    try:
        certificate, is_new = issue_certificate(attempt, current_learner(), form.details(),
                                                also=email_link)
    except PaymentRequired as unpaid:
        return _page(attempt, form, 409, notice=str(unpaid))
    if is_new:
        flash(*issued_notice(certificate, emailed[-1]))
    return redirect(url_for(".certificate", token=certificate_token(certificate.number)), 303)


def _certificate_for(token: str) -> Certificate:
    number = number_from_token(token)
    certificate = find_certificate(number) if number else None
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/certificates/<token>")
def certificate(token: str):
    """The learner's certificate page: status, details and Download certificate (PDF).

    A superseded certificate's page says so and nothing of its replacement: a reissue may have
    gone to a corrected address, and this link may be the one sent to the mistyped one.
    """
    return render_template("certificates/certificate.html", certificate=_certificate_for(token),
                           token=token)


@bp.get("/certificates/<token>/pdf")
@limiter.exempt
def download(token: str):
    """The signed PDF exactly as issued (the same bytes every time)."""
    number = number_from_token(token)
    stored = stored_pdf(number) if number else None  # tokens carry canonical numbers
    if stored is None:
        abort(404)
    if stored.status != VALID:
        return render_error(410, f"Certificate {stored.number} is {stored.status} "
                                 "and can no longer be downloaded. Open its page for details.")
    response = Response(stored.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ce-certificate-{stored.number}.pdf"',
        "Cache-Control": "private, no-cache"})
    response.set_etag(stored.pdf_sha256)
    return response.make_conditional(request)
