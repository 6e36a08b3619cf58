"""Confirming an email address for a course that limits attempts: ask, email, confirm once."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ceengine.courses.services import current_version
from ceengine.errors import render_error
from ceengine.extensions import limiter
from ceengine.learners.confirmation import (
    CONFIRM_MAX_AGE,
    ConfirmationError,
    UnknownLink,
    confirm_learner,
    pending_confirmation,
)
from ceengine.learners.identity import ensure_token
from ceengine.quizzes import bp
from ceengine.quizzes.forms import ConfirmEmailForm, ConfirmEmailRequestForm
from ceengine.quizzes.mail import send_confirmation_link
from ceengine.quizzes.presenters import quiz_context
from ceengine.quizzes.services import needs_confirmation
from ceengine.text import email_key


def _per_address_limit() -> str:
    return current_app.config["QUIZ_RATE_LIMIT"]  # a classroom shares one address


def _per_recipient_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _email_in_form() -> str:
    form = ConfirmEmailRequestForm()
    return "confirm:" + email_key(form.email.data or "") if form.is_submitted() else ""


def _version_or_404(slug: str):
    version = current_version(slug)
    if version is None:
        abort(404)
    return version


@bp.post("/courses/<slug>/quiz/email")
@limiter.limit(_per_address_limit)
@limiter.limit(_per_recipient_limit, key_func=_email_in_form)
def request_confirmation(slug: str) -> ResponseReturnValue:
    """Email a one-time link that confirms this browser for an address."""
    version = _version_or_404(slug)
    if not needs_confirmation(version):
        return render_error(
            404, "This course's quiz needs no email address: take it on the course page."
        )
    form = ConfirmEmailRequestForm()
    if not form.validate_on_submit():
        ensure_token()
        return render_template("quizzes/quiz.html", **quiz_context(version, email_form=form)), 422
    address = email_key(form.email.data)
    outcome = send_confirmation_link(address, version)
    if not outcome:  # a mail limit: the address or this network has had enough for now
        ensure_token()
        return render_template(
            "quizzes/quiz.html",
            **quiz_context(version, email_form=form),
            notice="We have sent as many emails as we send to this address "
            f"or from this network in {outcome.period or 'a while'}. "
            "Use a link already sent, or try again later.",
        ), 429
    flash(
        f"We sent a confirmation link to {address}. Open it in this browser (it works "
        f"once, for {CONFIRM_MAX_AGE // 3600} hours), then take the quiz.",
        "success",
    )
    return redirect(url_for(".quiz", slug=slug), 303)


@bp.get("/courses/<slug>/quiz/confirm/<token>")
def confirm_page(slug: str, token: str) -> ResponseReturnValue:
    """The emailed link's page: one button uses it (mail scanners only ever GET)."""
    version = _version_or_404(slug)
    try:
        confirmation = pending_confirmation(token)
    except ConfirmationError as error:
        return render_error(404 if isinstance(error, UnknownLink) else 410, str(error))
    return render_template(
        "quizzes/confirm.html",
        course=version.spec,
        address=confirmation.email_key,
        form=ConfirmEmailForm(),
        token=token,
    )


@bp.post("/courses/<slug>/quiz/confirm/<token>")
def confirm(slug: str, token: str) -> ResponseReturnValue:
    """Use the link: this browser's learner counts attempts by the confirmed address."""
    _version_or_404(slug)
    if not ConfirmEmailForm().validate_on_submit():
        return render_error(400, "This form had expired. Open the link from the email again.")
    try:
        address = confirm_learner(token, ensure_token())
    except ConfirmationError as error:
        return render_error(404 if isinstance(error, UnknownLink) else 410, str(error))
    flash(f"Your email {address} is confirmed on this browser. You can take the quiz.", "success")
    return redirect(url_for(".quiz", slug=slug), 303)
