"""My certificates: every certificate issued to an email address, opened by an emailed link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for

from ceengine.certificates import bp
from ceengine.certificates.forms import SignInRequestForm, SignOutForm
from ceengine.certificates.mail import send_sign_in_link
from ceengine.certificates.services import certificates_for_email, email_key
from ceengine.certificates.tokens import LinkExpired, certificate_token, email_from_sign_in_token
from ceengine.errors import render_error
from ceengine.extensions import limiter

SESSION_KEY = "certificates_email"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _email_in_form() -> str:
    form = SignInRequestForm()
    return email_key(form.email.data or "") if form.is_submitted() else ""


@bp.get("/my-certificates")
def my_certificates():
    """The transcript when signed in; otherwise the form that emails a sign-in link."""
    address = session.get(SESSION_KEY)
    if not address:
        return render_template("certificates/my_sign_in.html", form=SignInRequestForm())
    certificates = certificates_for_email(address)
    return render_template("certificates/my_certificates.html", address=address,
                           certificates=certificates, token_for=certificate_token,
                           sign_out=SignOutForm())


@bp.post("/my-certificates")
@limiter.limit(_sign_in_limit)
@limiter.limit(_sign_in_limit, key_func=_email_in_form)
def request_sign_in():
    """Email a sign-in link; the answer is the same whether or not we know the address.

    The email is only queued here (a worker sends it), so a known address costs the request
    no SMTP time; a limit refusing it is not told either, as that would tell the address is
    known.
    """
    form = SignInRequestForm()
    if not form.validate_on_submit():
        return render_template("certificates/my_sign_in.html", form=form), 422
    address = email_key(form.email.data)
    if certificates_for_email(address):
        send_sign_in_link(address, client=request.remote_addr or "unknown")
    flash(f"If certificates were issued to {address}, a sign-in link is on its way there. "
          "It works for 24 hours.", "success")
    return redirect(url_for(".my_certificates"), 303)


@bp.get("/my-certificates/sign-in/<token>")
def my_certificates_sign_in(token: str):
    """Open My certificates from the emailed link."""
    try:
        address = email_from_sign_in_token(token)
    except LinkExpired:
        return render_template("certificates/my_sign_in.html", form=SignInRequestForm(),
                               notice="That sign-in link has expired. Ask for a new one "
                                      "below."), 410
    if address is None:
        return render_error(404, "That sign-in link is not valid. Ask for a new one from "
                                 "My certificates.")
    session[SESSION_KEY] = address
    return redirect(url_for(".my_certificates"), 303)


@bp.post("/my-certificates/sign-out")
def my_certificates_sign_out():
    """Forget the signed-in address on this browser."""
    if SignOutForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
        flash("You are signed out of My certificates.", "success")
    return redirect(url_for(".my_certificates"), 303)
