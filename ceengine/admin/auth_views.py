"""Signing in and out of the admin console, and the guard on every other admin page: signed
in, with a second factor where one is required, and in a role that may (ceengine/admin/roles.py)."""

from __future__ import annotations

import time

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import UserMixin, current_user, login_user, logout_user
from limits import parse
from sqlalchemy.exc import SQLAlchemyError

from ceengine.admin import bp
from ceengine.admin.accounts import (
    Deactivated,
    Locked,
    admin_for_session,
    authenticate,
    end_session,
    start_session,
)
from ceengine.admin.forms import ActionForm, SignInForm
from ceengine.admin.models import AdminUser
from ceengine.admin.roles import OWN_ACCOUNT_ENDPOINTS, OWNER, may, refusal, required_role
from ceengine.audit import trail as audit
from ceengine.audit.trail import Actor
from ceengine.errors import render_error
from ceengine.extensions import db, limiter, login_manager
from ceengine.text import email_key, is_printable

PENDING = "admin_pending_sign_in"  # the session key between the password and the code
PENDING_SECONDS = 300


class SignedInAdmin(UserMixin):
    """The signed-in admin as Flask-Login sees them: the account and this session's token."""

    def __init__(self, user: AdminUser, session_token: str) -> None:
        self.user, self.session_token = user, session_token
        self.email = user.email

    def get_id(self) -> str:
        """What the session cookie keeps: this sign-in's token, checked on every request."""
        return self.session_token


@login_manager.user_loader
def load_admin(session_token: str) -> SignedInAdmin | None:
    """The admin of an open session, in the browser that opened it (by its User-Agent)."""
    user = admin_for_session(session_token, request.user_agent.string)
    return SignedInAdmin(user, session_token) if user else None


def _sign_in_limit() -> str:
    return current_app.config["ADMIN_LOGIN_RATE_LIMIT"]


def needs_two_factor_set_up(user: AdminUser) -> bool:
    """An owner without two-factor sign-in, where owners must have it (the default)."""
    return (
        user.role == OWNER
        and user.two_factor_since is None
        and current_app.config.get("OWNER_TWO_FACTOR", True)
    )


@bp.before_request
def require_admin() -> ResponseReturnValue | None:
    """The one guard on every admin page and action: a signed-in admin (the sign-in pages
    are the exception), whose second factor is set up if required, in a role that may."""
    needed = required_role(request.endpoint or "", request.method)
    if needed is None:
        return None
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        return render_error(401, "Please sign in to the admin console first.")
    user = current_user.user
    if needs_two_factor_set_up(user) and request.endpoint not in OWN_ACCOUNT_ENDPOINTS:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("admin.two_factor"))
        return render_error(403, "Owners set up two-factor sign-in before anything else.")
    if not may(user.role, needed):
        return render_error(403, refusal(needed))
    return None


@bp.after_request
def never_cache(response: Response) -> Response:
    """Admin pages hold learners' data: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def sign_out_form() -> dict:
    """The Sign out button's form, for the admin layout."""
    return {"sign_out_form": ActionForm}


def admin_path(target: str | None, default: str, prefix: str = "/admin") -> str:
    """`target` when it is a plain address inside the console (never another site), else
    `default`."""
    if (
        target
        and target.startswith(prefix)
        and "//" not in target
        and "\\" not in target
        and all(c.isprintable() and not c.isspace() for c in target)
    ):
        return target
    return default


def _safe_next(target: str | None) -> str:
    return admin_path(target, url_for("admin.overview"))


def open_session(user: AdminUser, next_page: str | None) -> ResponseReturnValue:
    """Sign the admin in (both steps passed): a new session; on to where they were going,
    or to set up two-factor sign-in first when they must."""
    audit.record(
        "sign_in", user.email, actor=Actor(user.email, user.id, request.remote_addr or "")
    )  # committed with the new session
    session.clear()  # nothing from before the sign-in carries over
    token = start_session(user, request.user_agent.string, current_app.permanent_session_lifetime)
    login_user(SignedInAdmin(user, token))
    session.permanent = True
    if needs_two_factor_set_up(user):
        return redirect(url_for("admin.two_factor"), 303)
    return redirect(_safe_next(next_page), 303)


def _failed_sign_in(email: str, reason: str) -> None:
    """Keep a refused sign-in in the audit trail: the address typed, and from where."""
    typed = email_key(email)[:254]
    audit.record(
        "sign_in_failed", typed, reason=reason, actor=Actor(typed, None, request.remote_addr or "")
    )
    db.session.commit()


# At most one "too many attempts" event a minute for an address and email: a flood of refused
# sign-ins is kept in the trail without filling it.
_THROTTLED_EVENTS = parse("1 per minute")


def refused_sign_in(email: str) -> None:
    """The limiter's breach hook for the sign-in pages: keep a sign-in refused for too many
    attempts in the audit trail, with the email tried and the address. A database that cannot
    take the event only logs it: the visitor still gets the 429 page, never a 500."""
    typed = "".join(c for c in email_key(email) if is_printable(c))[:254]
    address = request.remote_addr or ""
    if not limiter.limiter.hit(_THROTTLED_EVENTS, "sign_in_throttled", address, typed):
        return
    try:
        audit.record(
            "sign_in_throttled",
            typed,
            reason="too many attempts",
            actor=Actor(typed or "(no email)", None, address),
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("could not keep a refused sign-in in the audit trail")


def _login_breached(_limit: RequestLimit) -> None:
    refused_sign_in(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], on_breach=_login_breached)
def login() -> ResponseReturnValue:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    notice = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except Locked as locked:
            notice = str(locked)
            _failed_sign_in(form.email.data, "the account is locked")
        except Deactivated as deactivated:
            notice = str(deactivated)
            _failed_sign_in(form.email.data, "the account is deactivated")
        else:
            if user is not None and user.two_factor_since is not None:
                session.clear()
                session[PENDING] = {
                    "id": user.id,
                    "until": int(time.time()) + PENDING_SECONDS,
                    "next": request.args.get("next") or "",
                }
                return redirect(url_for("admin.login_code"), 303)
            if user is not None:
                return open_session(user, request.args.get("next"))
            notice = "The email or password is not right. Please try again."
            _failed_sign_in(form.email.data, "wrong email or password")
    status = 401 if notice else 422 if form.errors else 200
    return render_template("admin/login.html", form=form, notice=notice), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out: the session ends on the server, in every copy of its cookie."""
    audit.record("sign_out", current_user.email)  # committed as the session ends
    end_session(current_user.session_token)  # CSRFProtect has already checked the form
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("admin.login"), 303)
