"""Owners manage the console's admins at /admin/accounts; an invited admin joins at
/admin/invite/<token>. The role guard (auth_views) keeps everything here but joining to
owners (ceengine/admin/roles.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ceengine.admin import bp
from ceengine.admin.accounts import AccountError
from ceengine.admin.auth_views import open_session
from ceengine.admin.forms import (
    InviteForm,
    NewPasswordForm,
    ReasonForm,
    ResetTwoFactorForm,
    RoleForm,
    first_error,
    with_ids,
)
from ceengine.admin.models import AdminUser
from ceengine.admin.team import (
    NO_INVITATION,
    accept_invitation,
    admins,
    cancel_invitation,
    change_role,
    invitation_for,
    invite,
    is_expired,
    open_invitations,
    reset_two_factor_of,
    set_active,
)
from ceengine.admin.two_factor import is_on
from ceengine.errors import render_error
from ceengine.extensions import db
from ceengine.links import absolute_url

INT = "int(max=2147483647)"


def _accounts_page(invite_form: InviteForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "admin/accounts.html",
        admins=admins(),
        invitations=open_invitations(),
        invite_form=invite_form,
        cancel_form=ReasonForm,
        is_on=is_on,
        is_expired=is_expired,
        me=current_user.user.id,
    ), status


@bp.get("/accounts")
def accounts() -> ResponseReturnValue:
    """Every admin with their role and state, the waiting invitations, and the invite form."""
    return _accounts_page(InviteForm())


@bp.post("/accounts/invite", endpoint="invite")
def invite_admin() -> ResponseReturnValue:
    """Invite someone by email, with a role."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _accounts_page(form, 422)
    try:
        invited = invite(
            form.email.data,
            form.role.data,
            lambda token: absolute_url("admin.accept_invitation", token=token),
            current_app.config["ADMIN_INVITATION_HOURS"],
        )
    except AccountError as problem:
        form.email.errors = [str(problem)]
        return _accounts_page(form, 409)
    flash(f"Invitation sent to {invited.email}.", "success")
    return redirect(url_for("admin.accounts"), 303)


def _done(change: Callable[[], object], message: str) -> ResponseReturnValue:
    try:
        user = change()
    except AccountError as problem:
        flash(str(problem), "error")
        return redirect(url_for("admin.accounts"), 303)
    flash(message.format(email=getattr(user, "email", user)), "success")
    return redirect(url_for("admin.accounts"), 303)


def _account_or_404(admin_id: int) -> AdminUser:
    user = db.session.get(AdminUser, admin_id)
    if user is None:
        abort(404)
    return user


def _account_page(
    user: AdminUser,
    role: RoleForm | None = None,
    active: ReasonForm | None = None,
    reset: ResetTwoFactorForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "admin/account.html",
        a=user,
        me=current_user.user.id,
        two_factor_on=is_on(user),
        role_form=with_ids(role or RoleForm(formdata=None, role=user.role), "role"),
        active_form=with_ids(active or ReasonForm(formdata=None), "active"),
        reset_form=with_ids(reset or ResetTwoFactorForm(formdata=None), "reset"),
    ), status


@bp.get(f"/accounts/<{INT}:admin_id>", endpoint="account")
def account(admin_id: int) -> ResponseReturnValue:
    """One admin: set their role, deactivate or reactivate them, reset their second factor,
    each with a reason for the audit trail."""
    return _account_page(_account_or_404(admin_id))


@bp.post(f"/accounts/invitations/<{INT}:invitation_id>/cancel", endpoint="cancel_invitation")
def cancel_invitation_view(invitation_id: int) -> ResponseReturnValue:
    """Withdraw a waiting invitation (with an optional reason)."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_error(422, first_error(form))
    return _done(
        lambda: cancel_invitation(invitation_id, form.reason.data or ""),
        "The invitation to {email} is cancelled.",
    )


@bp.post(f"/accounts/<{INT}:admin_id>/role", endpoint="change_role")
def change_role_view(admin_id: int) -> ResponseReturnValue:
    """Set an admin's role (with an optional reason)."""
    form = RoleForm()
    if not form.validate_on_submit():
        if form.role.errors or form.csrf_token.errors:
            return render_error(400, "Choose owner, staff or reviewer.")
        return _account_page(_account_or_404(admin_id), role=with_ids(form, "role"), status=422)
    return _done(
        lambda: change_role(admin_id, form.role.data, form.reason.data or ""),
        "{email} is now " + form.role.data + ".",
    )


def _set_active(admin_id: int, active: bool, message: str) -> ResponseReturnValue:
    form = ReasonForm()
    if not form.validate_on_submit():
        return _account_page(_account_or_404(admin_id), active=form, status=422)
    return _done(lambda: set_active(admin_id, active, form.reason.data or ""), message)


@bp.post(f"/accounts/<{INT}:admin_id>/deactivate")
def deactivate(admin_id: int) -> ResponseReturnValue:
    """Deactivate an admin: they cannot sign in, and their sessions end."""
    return _set_active(admin_id, False, "{email} is deactivated and signed out.")


@bp.post(f"/accounts/<{INT}:admin_id>/reactivate")
def reactivate(admin_id: int) -> ResponseReturnValue:
    """Let a deactivated admin sign in again."""
    return _set_active(admin_id, True, "{email} can sign in again.")


@bp.post(f"/accounts/<{INT}:admin_id>/reset-two-factor", endpoint="reset_two_factor")
def reset_two_factor_view(admin_id: int) -> ResponseReturnValue:
    """Reset another admin's two-factor sign-in (a lost phone), saying why."""
    form = ResetTwoFactorForm()
    me = current_user.user.id
    if not form.validate_on_submit():
        user = _account_or_404(admin_id)
        if user.id == me or not is_on(user):  # the page has no reset form to show it on
            return render_error(422, first_error(form))
        return _account_page(user, reset=form, status=422)
    return _done(
        lambda: reset_two_factor_of(admin_id, form.reason.data, me),
        "Two-factor sign-in of {email} is reset and they are signed out; they set it up "
        "again at their next sign-in where their role requires it.",
    )


@bp.route("/invite/<token>", methods=["GET", "POST"], endpoint="accept_invitation")
def accept_invitation_view(token: str) -> ResponseReturnValue:
    """The invited admin chooses a password, and is signed in (owners then set up two-factor
    sign-in)."""
    invitation = invitation_for(token[:200])
    if invitation is None:
        return render_error(410, NO_INVITATION)
    form, notice = NewPasswordForm(), None
    if form.validate_on_submit():
        try:
            user = accept_invitation(token, form.password.data, request.remote_addr or "")
        except AccountError as problem:
            notice = str(problem)
        else:
            return open_session(user, None)
    status = 422 if notice or form.errors else 200
    return render_template(
        "admin/invite.html", form=form, notice=notice, invitation=invitation
    ), status
