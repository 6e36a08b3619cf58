"""The second step of signing in (a code from the authenticator app, or a recovery code),
and an admin setting up their own two-factor sign-in."""

from __future__ import annotations

import time

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from ceengine.admin import bp
from ceengine.admin.accounts import Locked, check_not_locked, count_failure, signed_in
from ceengine.admin.auth_views import PENDING, open_session
from ceengine.admin.forms import CodeForm
from ceengine.admin.models import AdminUser
from ceengine.admin.two_factor import (
    check_code,
    is_on,
    pending_secret,
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    turn_on,
)
from ceengine.audit import trail as audit
from ceengine.audit.trail import Actor
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


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
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


@bp.get("/two-factor")
def two_factor() -> ResponseReturnValue:
    """The admin's own two-factor sign-in: its state, or the QR code to set it up."""
    user = current_user.user
    if is_on(user):
        return render_template(
            "admin/two_factor.html", user=user, left=recovery_codes_left(user), form=None
        )
    return _set_up_page(user, CodeForm(), None, 200)


def _set_up_page(user: AdminUser, form: CodeForm, notice: str | None, status: int):
    secret = pending_secret(user)
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
    codes = turn_on(user, form.code.data)
    if codes is None:
        db.session.rollback()
        return _set_up_page(user, form, WRONG_CODE, 422)
    audit.record("two_factor_enabled", user.email)
    db.session.commit()
    # Shown in this response only (never stored in a session or the database in clear).
    return render_template("admin/recovery_codes.html", codes=codes)
