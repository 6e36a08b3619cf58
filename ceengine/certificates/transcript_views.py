"""My certificates: every certificate issued to an email address, opened by an emailed link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.forms import OpenTranscriptForm, SignInRequestForm, SignOutForm
from ceengine.certificates.mail import send_sign_in_link
from ceengine.certificates.services import certificates_for_email
from ceengine.certificates.tokens import LinkExpired, certificate_token, link_from_sign_in_token
from ceengine.certificates.transcript_sessions import (
    LinkUsed,
    address_of_session,
    end_session,
    link_was_used,
    open_session,
    session_of_link,
)
from ceengine.errors import render_error
from ceengine.extensions import limiter
from ceengine.text import email_key

SESSION_KEY = "certificates_session"  # the token of this browser's My certificates session
USED = "That sign-in link has already been used: each link signs in once. Ask for a new one below."


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _email_in_form() -> str:
    form = SignInRequestForm()
    return email_key(form.email.data or "") if form.is_submitted() else ""


@bp.get("/my-certificates")
def my_certificates() -> ResponseReturnValue:
    """The transcript when signed in; otherwise the form that emails a sign-in link."""
    token = session.get(SESSION_KEY)
    address = address_of_session(token) if isinstance(token, str) else None
    if not address:
        session.pop(SESSION_KEY, None)
        return render_template("certificates/my_sign_in.html", form=SignInRequestForm())
    certificates = certificates_for_email(address)
    return render_template(
        "certificates/my_certificates.html",
        address=address,
        certificates=certificates,
        token_for=certificate_token,
        sign_out=SignOutForm(),
    )


@bp.post("/my-certificates")
@limiter.limit(_sign_in_limit)
@limiter.limit(_sign_in_limit, key_func=_email_in_form)
def request_sign_in() -> ResponseReturnValue:
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
    flash(
        f"If certificates were issued to {address}, a sign-in link is on its way there. "
        "It signs you in once, within 24 hours.",
        "success",
    )
    return redirect(url_for(".my_certificates"), 303)


def _sign_in_page(notice: str, status: int):
    return render_template(
        "certificates/my_sign_in.html", form=SignInRequestForm(), notice=notice
    ), status


@bp.route("/my-certificates/sign-in/<token>", methods=["GET", "POST"])
def my_certificates_sign_in(token: str) -> ResponseReturnValue:
    """The emailed link: a button that opens My certificates, once (POST uses the link)."""
    try:
        link = link_from_sign_in_token(token)
    except LinkExpired:
        return _sign_in_page("That sign-in link has expired. Ask for a new one below.", 410)
    if link is None:
        return render_error(
            404, "That sign-in link is not valid. Ask for a new one from My certificates."
        )
    if session_of_link(link, session.get(SESSION_KEY)):
        return redirect(url_for(".my_certificates"), 303)  # this browser already used it
    form = OpenTranscriptForm()
    if request.method == "GET" or not form.validate_on_submit():
        if link_was_used(link):
            return _sign_in_page(USED, 410)
        return render_template("certificates/my_open.html", form=form)
    try:
        opened = open_session(link)
    except LinkUsed:
        return _sign_in_page(USED, 410)
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str):
        end_session(previous)  # one My certificates session per browser
    session[SESSION_KEY] = opened
    return redirect(url_for(".my_certificates"), 303)


@bp.post("/my-certificates/sign-out")
def my_certificates_sign_out() -> ResponseReturnValue:
    """Sign out: the session ends on the server, in every copy of this browser's cookie."""
    if SignOutForm().validate_on_submit():
        token = session.pop(SESSION_KEY, None)
        if isinstance(token, str):
            end_session(token)
        flash("You are signed out of My certificates.", "success")
    return redirect(url_for(".my_certificates"), 303)
