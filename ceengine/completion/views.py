"""Get my certificate: the course evaluation first, then the details form with its preview,
then Issue certificate (free) or Continue to payment (paid).

Read from the top: the page, then each step it takes, in the order it takes them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.billing.services import OrderClosed, PaymentUnavailable, order_for_attempt
from ceengine.certificates.edition import CreditPlan, certificate_data, credit_plan
from ceengine.certificates.models import Certificate
from ceengine.certificates.services import latest_certificate, learner_details_on_file
from ceengine.certificates.tokens import certificate_token
from ceengine.completion import bp
from ceengine.completion.checkout import start_checkout
from ceengine.completion.forms import LICENSE_FIELDS, DetailsForm, details_form
from ceengine.completion.issuing import PaymentRequired, issue_certificate, payment_due
from ceengine.feedback.services import evaluation_due
from ceengine.learners.identity import current_learner
from ceengine.outbox.queue import PER_CLIENT, PER_RECIPIENT, REPEAT, Outcome
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.services import attempt_for

PREVIEW_NUMBER = "Assigned when issued"


@bp.route("/attempts/<public_id>/certificate", methods=["GET", "POST"])
def details(public_id: str) -> ResponseReturnValue:
    """Get my certificate: the details form, its preview, and Issue certificate."""
    attempt = _passed_attempt(public_id)
    existing = latest_certificate(attempt)
    if existing is not None:
        return _certificate_page(existing)
    if evaluation_due(attempt):  # accreditors expect an evaluation before credit
        return redirect(url_for("feedback.evaluation", public_id=public_id), 303)
    plan = credit_plan(attempt)
    form = _form_for(attempt, plan)
    if not form.is_submitted():
        return _page(attempt, form, plan)
    if not form.issue.data:  # Preview: the attestation is confirmed with Issue certificate
        form.attest.validators = []
    if not form.validate():
        return _page(attempt, form, plan, 422)
    if not form.issue.data:
        return _page(attempt, form, plan)
    if payment_due(attempt):
        return _checkout(attempt, form, plan)
    return _issue(attempt, form, plan)


def _passed_attempt(public_id: str) -> Attempt:
    attempt = attempt_for(public_id, current_learner())
    if attempt is None or not attempt.passed:
        abort(404)
    return attempt


def _certificate_page(certificate: Certificate):
    return redirect(
        url_for("certificates.certificate", token=certificate_token(certificate.number)), 303
    )


def _form_for(attempt: Attempt, plan: CreditPlan):
    label = "Continue to payment" if payment_due(attempt) else "Issue certificate"
    form = details_form(
        attempt.version.spec.certificate.license_details,
        label,
        plan.attestation,
        plan.required_details,
    )
    if not form.is_submitted():
        for name, value in _saved_details(attempt).items():
            if name in form:
                form[name].data = value
    return form


def _saved_details(attempt: Attempt) -> dict[str, str]:
    """What the learner confirmed for this attempt's order, else their latest certificate's."""
    order = order_for_attempt(attempt)
    return order.details if order else learner_details_on_file(attempt.learner_id)


def _page(
    attempt: Attempt,
    form: DetailsForm,
    plan: CreditPlan,
    status: int = 200,
    notice: str | None = None,
) -> tuple[str, int]:
    details = form.details() if form.full_name.data and not form.errors else None
    course = attempt.version.spec
    preview = None
    if details:
        credits = plan.printed(course.format)
        preview = certificate_data(attempt, details, PREVIEW_NUMBER, credits, plan.not_approved_by)
    return render_template(
        "completion/details.html",
        attempt=attempt,
        form=form,
        course=course,
        plan=plan,
        preview=preview,
        notice=notice,
        payment_due=payment_due(attempt),
        license_fields=[form[n] for n in LICENSE_FIELDS if n in form],
    ), status


def _checkout(attempt: Attempt, form: DetailsForm, plan: CreditPlan) -> ResponseReturnValue:
    try:
        destination = start_checkout(attempt, current_learner(), form.details())
    except PaymentUnavailable as unavailable:
        return _page(attempt, form, plan, 503, notice=str(unavailable))
    except OrderClosed as closed:  # refunded, disputed, a payment that did not match
        return _page(attempt, form, plan, 409, notice=str(closed))
    if isinstance(destination, str):
        return redirect(destination, 303)  # Stripe's hosted Checkout page
    return _certificate_page(destination)


def _issue(attempt: Attempt, form: DetailsForm, plan: CreditPlan) -> ResponseReturnValue:
    try:
        issued = issue_certificate(
            attempt, current_learner(), form.details(), client=request.remote_addr or "unknown"
        )
    except PaymentRequired as unpaid:
        return _page(attempt, form, plan, 409, notice=str(unpaid))
    if issued.is_new:
        flash(*issued_notice(issued.certificate, issued.email))
    return _certificate_page(issued.certificate)


def issued_notice(certificate: Certificate, outcome: Outcome) -> tuple[str, str]:
    """The (message, category) a learner sees after Issue certificate: where the email went,
    or that it was not sent and why."""
    email = certificate.email
    if outcome:
        return f"Your certificate has been issued. We are emailing its link to {email}.", "success"
    reasons = {
        REPEAT: f"a certificate email already went to {email} from this browser or this "
        f"network in the last {outcome.period}, and we send no more than one in that "
        "time, so that this form cannot be used to flood someone's inbox.",
        PER_RECIPIENT: f"{email} has already had as many emails as we send to one address in "
        f"{outcome.period}.",
        PER_CLIENT: "your network has already asked for as many emails as we send for one "
        f"network in {outcome.period}.",
    }
    return (
        f"Your certificate has been issued, but we did not email its link: "
        f"{reasons[outcome.refusal]} Bookmark this page to come back to it."
    ), "warning"
