"""The second step of signing in (a code from the authenticator app, or a recovery code),
and an admin setting up their own two-factor sign-in."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user
from markupsafe import Markup

from ceengine.admin import bp
from ceengine.admin.accounts import Locked, check_not_locked, count_failure, signed_in
from ceengine.admin.auth_views import PENDING, open_session, refused_sign_in
from ceengine.admin.forms import CodeForm, CurrentCodeForm, with_ids
from ceengine.admin.models import AdminUser
from ceengine.admin.roles import OWNER
from ceengine.admin.two_factor import (
    check_code,
    is_on,
    new_secret,
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    renew_recovery_codes,
    seal,
    turn_off,
    turn_on,
    unseal,
)
from ceengine.audit import trail as audit
from ceengine.audit.trail import Actor
from ceengine.errors import render_error
from ceengine.extensions import db, limiter

WRONG_CODE = "That code is not right, or was already used. Please try again."


def _sign_in_limit() -> str:
    return current_app.config["ADMIN_LOGIN_RATE_LIMIT"]


def _pending_admin() -> AdminUser | None:
    """The admin who gave the right password in this browser in the last few minutes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = db.session.get(AdminUser, pending.get("id"))
    return user if user is not None and user.active and is_on(user) else None


def _code_breached(_limit: RequestLimit) -> None:
    user = _pending_admin()
    refused_sign_in(user.email if user is not None else "")


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], on_breach=_code_breached)
def login_code() -> ResponseReturnValue:
    """Sign-in, second step: the code from the authenticator app, or a recovery code."""
    user = _pending_admin()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("admin.login"), 303)
    form, notice = CodeForm(), None
    if form.validate_on_submit():
        actor = Actor(user.email, user.id, request.remote_addr or "")
        try:
            check_not_locked(user)
            used = check_code(user, form.code.data)
            if used:
                signed_in(user)
                if used == "recovery":
                    audit.record("recovery_code_used", user.email, actor=actor)
                return open_session(user, session.get(PENDING, {}).get("next"))
            db.session.rollback()
            audit.record("two_factor_failed", user.email, actor=actor)
            count_failure(user)  # commits the event with the count
            notice = WRONG_CODE
        except Locked as locked:
            db.session.rollback()
            session.pop(PENDING, None)
            audit.record(
                "two_factor_failed", user.email, reason="the account is locked", actor=actor
            )
            db.session.commit()
            notice = str(locked)
    status = 401 if notice else 422 if form.errors else 200
    return render_template("admin/code.html", form=form, notice=notice), status


SETUP = "admin_two_factor_setup"  # the session key of the secret being set up (sealed)
KEEP_ON = (
    "Owners keep two-factor sign-in on: this console requires it (CEENGINE_OWNER_TWO_FACTOR). "
    "Another owner can reset it from Accounts if you lose your phone."
)


def must_keep(user: AdminUser) -> bool:
    """Whether the admin's role requires two-factor sign-in (owners, by default)."""
    return user.role == OWNER and current_app.config.get("OWNER_TWO_FACTOR", True)


def _secret_being_set_up(user: AdminUser) -> str:
    """The secret this admin is setting up in this browser: kept, encrypted, in the signed
    session (not the database), so showing the set-up page changes nothing stored."""
    kept = session.get(SETUP)
    secret = unseal(kept.get("secret")) if isinstance(kept, dict) else None
    if secret is None or kept.get("id") != user.id:
        secret = new_secret()
        session[SETUP] = {"id": user.id, "secret": seal(secret)}
    return secret


@bp.get("/two-factor")
def two_factor() -> ResponseReturnValue:
    """The admin's own two-factor sign-in: its state (with new recovery codes and, where the
    role allows, turning it off), or the QR code to set it up. Writes nothing."""
    user = current_user.user
    if is_on(user):
        return _on_page(user)
    return _set_up_page(user, CodeForm(), None, 200)


def _on_page(
    user: AdminUser,
    renew: CurrentCodeForm | None = None,
    off: CurrentCodeForm | None = None,
    notice: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "admin/two_factor.html",
        user=user,
        left=recovery_codes_left(user),
        form=None,
        renew_form=with_ids(renew or CurrentCodeForm(formdata=None), "renew"),
        off_form=(
            None if must_keep(user) else with_ids(off or CurrentCodeForm(formdata=None), "off")
        ),
        keep_on=KEEP_ON,
        notice=notice,
    ), status


def _set_up_page(user: AdminUser, form: CodeForm, notice: str | None, status: int):
    secret = _secret_being_set_up(user)
    uri = provisioning_uri(user, secret)
    # segno's SVG: made here from our own data (the secret and the email), never user HTML.
    qr = Markup(qr_svg(uri))  # noqa: S704
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "admin/two_factor.html", user=user, form=form, qr=qr, secret=spaced, notice=notice
    ), status


@bp.post("/two-factor")
def two_factor_confirm() -> ResponseReturnValue:
    """Turn two-factor sign-in on with a first code; show the recovery codes, once."""
    user = current_user.user
    if is_on(user):
        return redirect(url_for("admin.two_factor"), 303)
    form = CodeForm()
    if not form.validate_on_submit():
        return _set_up_page(user, form, None, 422)
    codes = turn_on(user, _secret_being_set_up(user), form.code.data)
    if codes is None:
        db.session.rollback()
        return _set_up_page(user, form, WRONG_CODE, 422)
    audit.record("two_factor_enabled", user.email)
    db.session.commit()
    session.pop(SETUP, None)
    # Shown in this response only (never stored in a session or the database in clear).
    return render_template("admin/recovery_codes.html", codes=codes, renewed=False)


def _wrong_own_code(user: AdminUser, what: str) -> str:
    """A wrong code for a change to one's own second factor: audited, and counted toward the
    same lock as sign-in (a code cannot be guessed here without end either)."""
    db.session.rollback()
    audit.record("two_factor_failed", user.email, reason=what)
    try:
        count_failure(user)  # commits the event with the count
    except Locked as locked:
        return str(locked)
    return WRONG_CODE


@bp.post("/two-factor/recovery-codes")
@limiter.limit(_sign_in_limit, methods=["POST"])
def two_factor_recovery_codes() -> ResponseReturnValue:
    """New recovery codes, after a current code from the app: the old ones stop working."""
    user = current_user.user
    if not is_on(user):
        return redirect(url_for("admin.two_factor"), 303)
    form = CurrentCodeForm()
    if not form.validate_on_submit():
        return _on_page(user, renew=form, status=422)
    codes = renew_recovery_codes(user, form.code.data)
    if codes is None:
        notice = _wrong_own_code(user, "making new recovery codes")
        return _on_page(user, renew=form, notice=notice, status=422)
    audit.record("recovery_codes_renewed", user.email)
    db.session.commit()
    return render_template("admin/recovery_codes.html", codes=codes, renewed=True)


@bp.post("/two-factor/off")
@limiter.limit(_sign_in_limit, methods=["POST"])
def two_factor_off() -> ResponseReturnValue:
    """Turn one's own two-factor sign-in off with a current code (not for owners where the
    console requires it)."""
    user = current_user.user
    if must_keep(user):
        return render_error(409, KEEP_ON)  # a rule of this console, not a role refusal
    if not is_on(user):
        return redirect(url_for("admin.two_factor"), 303)
    form = CurrentCodeForm()
    if not form.validate_on_submit():
        return _on_page(user, off=form, status=422)
    if not turn_off(user, form.code.data):
        notice = _wrong_own_code(user, "turning two-factor sign-in off")
        return _on_page(user, off=form, notice=notice, status=422)
    audit.record(
        "two_factor_disabled", user.email, before={"two_factor": True}, after={"two_factor": False}
    )
    db.session.commit()
    flash("Two-factor sign-in is off: you sign in with your password alone.", "success")
    return redirect(url_for("admin.two_factor"), 303)
