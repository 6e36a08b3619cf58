"""Admin accounts and roles: owners invite, set roles, deactivate; the role guard on every
admin address (walked from the URL map); the last owner is kept; the command line.

Roles: an owner may do everything; staff everything but accounts; a reviewer reads reports
and downloads exports and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from ceengine.admin.accounts import admin_by_email
from ceengine.admin.models import AdminInvitation, AdminRecoveryCode, AdminUser
from ceengine.admin.roles import OPEN_ENDPOINTS, may, refusal, required_role
from ceengine.audit.models import AuditEvent
from ceengine.certificates.models import Certificate
from ceengine.extensions import db
from tests.support.admin_steps import (
    ADMIN_PASSWORD,
    address_of,
    admin_client,
    admin_rules_and_methods,
    admin_token,
    fresh_session,
    is_signed_in,
    post_action,
    sign_in,
    turn_on_two_factor,
)
from tests.support.factories import attempt_with, certificate_row, reflection_with
from tests.support.html import csrf_token_in, flashes_in, form_posting_to, text_of
from tests.support.mail_steps import links_in, outbox
from tests.support.security_steps import database_state

OWNER = "olive@example.org"
STAFF = "sam@example.org"
REVIEWER = "rae@example.org"
NEWCOMER = "nia@example.org"
NEW_PASSWORD = "a new admin's own passphrase"


def events(action: str) -> list[AuditEvent]:
    fresh_session()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def admin_named(email: str) -> AdminUser:
    fresh_session()
    return admin_by_email(email)


def invite(owner, email: str = NEWCOMER, role: str = "staff"):
    return post_action(owner, "/admin/accounts/invite", email=email, role=role)


def invitation_link(app, email: str = NEWCOMER) -> str:
    """The path of the link in the last invitation emailed to `email`."""
    sent = [m for m in outbox(app) if email in m.to]
    assert sent, f"no email to {email}"
    return urlsplit(links_in(sent[-1].body)[0]).path


def join(client, path: str, password: str = NEW_PASSWORD):
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": password})


# --- the role guard, on every admin address ------------------------------------------------

# Read against the table: a mistake in ceengine/admin/roles.py shows here.
EXPECTED = {
    ("admin.ratings", "GET"): "reviewer",
    ("admin.certificate", "GET"): "reviewer",
    ("admin.roster", "GET"): "reviewer",
    ("admin.roster_xlsx", "GET"): "reviewer",
    ("admin.audit_csv", "GET"): "reviewer",
    ("admin.ce_broker_xls", "GET"): "reviewer",
    ("admin.logout", "POST"): "reviewer",
    ("admin.two_factor", "GET"): "reviewer",
    ("admin.two_factor_recovery_codes", "POST"): "reviewer",
    ("admin.two_factor_off", "POST"): "reviewer",
    ("admin.revoke", "POST"): "staff",
    ("admin.reissue", "POST"): "staff",
    ("admin.moderate", "POST"): "staff",
    ("admin.delete", "GET"): "staff",
    ("admin.delete", "POST"): "staff",
    ("admin.ce_broker_reported", "POST"): "staff",
    ("admin.accounts", "GET"): "owner",
    ("admin.invite", "POST"): "owner",
    ("admin.change_role", "POST"): "owner",
    ("admin.deactivate", "POST"): "owner",
    ("admin.reactivate", "POST"): "owner",
    ("admin.cancel_invitation", "POST"): "owner",
    ("admin.account", "GET"): "owner",
    ("admin.reset_two_factor", "POST"): "owner",
}


@pytest.fixture
def team(synced):
    """An owner (with two-factor sign-in), a staff member and a reviewer, each signed in;
    a certificate, a reflection and a waiting invitation for the walk to name."""
    clients = {
        "owner": admin_client(synced, OWNER, role="owner"),
        "staff": admin_client(synced, STAFF, role="staff"),
        "reviewer": admin_client(synced, REVIEWER, role="reviewer"),
    }
    invite(clients["owner"], "ivy@example.org")
    certificate = certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Kim Lee")
    reflection = reflection_with("demo-lesson", "Sam", "I slowed down today.")
    values = {
        "number": certificate.number,
        "reflection_id": str(reflection.id),
        "version_id": str(certificate.version_id),
        "admin_id": str(admin_named(STAFF).id),
        "invitation_id": str(db.session.scalar(sa.select(AdminInvitation.id))),
    }
    return clients, values


def test_every_admin_address_refuses_a_role_below_the_one_it_needs(synced, team):
    clients, values = team
    tokens = {role: admin_token(client) for role, client in clients.items()}
    walk = [(r, m) for r, m in admin_rules_and_methods(synced) if r.endpoint not in OPEN_ENDPOINTS]
    needs = {(rule.endpoint, method): required_role(rule.endpoint, method) for rule, method in walk}
    assert {key: needs.get(key) for key in EXPECTED} == EXPECTED
    # every action needs staff at least, but signing out and one's own second factor (turning
    # it on, new recovery codes, turning it off: self-service every role has)
    assert {key for key, needed in needs.items() if key[1] == "POST" and needed == "reviewer"} == {
        ("admin.logout", "POST"),
        ("admin.two_factor_confirm", "POST"),
        ("admin.two_factor_recovery_codes", "POST"),
        ("admin.two_factor_off", "POST"),
    }
    before = database_state()

    refused = []
    for rule, method in walk:
        needed = needs[(rule.endpoint, method)]
        url = address_of(rule, values)
        for role, client in clients.items():
            if may(role, needed):
                continue
            response = client.open(
                url, method=method, data={"csrf_token": tokens[role], "reason": "x", "confirm": "y"}
            )
            assert response.status_code == 403, (role, method, url, response.status_code)
            assert refusal(needed) in text_of(response), (role, method, url)
            refused.append((role, rule.endpoint, method))

    assert database_state() == before  # nothing a refused role asked for happened
    assert ("reviewer", "admin.revoke", "POST") in refused
    assert ("reviewer", "admin.accounts", "GET") in refused
    assert ("staff", "admin.invite", "POST") in refused
    assert ("staff", "admin.reset_two_factor", "POST") in refused
    assert not [r for r in refused if r[0] == "owner"]
    for rule, method in walk:  # and every page a role may open, opens
        if method == "GET":
            url = address_of(rule, values)
            for role, client in clients.items():
                if may(role, needs[(rule.endpoint, method)]):
                    assert client.get(url).status_code == 200, (role, url)


def test_a_reviewer_reads_and_downloads_but_cannot_revoke(synced):
    reviewer = admin_client(synced, REVIEWER, role="reviewer")
    number = certificate_row(attempt_with("demo-lesson", [True] * 6)).number

    page = reviewer.get(f"/admin/certificates/{number}")
    roster = reviewer.get("/admin/exports/roster.csv")
    revoke = post_action(
        reviewer, f"/admin/certificates/{number}/revoke", reason="Issued in error", confirm="y"
    )

    assert page.status_code == 200 and roster.status_code == 200
    assert revoke.status_code == 403
    assert "Your role is reviewer: you can read reports and download exports" in text_of(revoke)
    fresh_session()
    assert db.session.scalar(sa.select(Certificate.status)) == "valid"
    assert "Accounts" not in text_of(reviewer.get("/admin"))


def test_only_owners_see_and_open_the_accounts_page(synced):
    owner = admin_client(synced, OWNER, role="owner")
    staff = admin_client(synced, STAFF, role="staff")

    assert "Accounts" in text_of(owner.get("/admin"))
    assert "Accounts" not in text_of(staff.get("/admin"))
    refused = staff.get("/admin/accounts")
    assert refused.status_code == 403
    assert "Only an owner can manage admin accounts." in text_of(refused)
    listing = text_of(owner.get("/admin/accounts"))
    assert OWNER in listing and STAFF in listing


# --- invitations -----------------------------------------------------------------------------


def test_an_invited_admin_chooses_a_password_and_joins_with_the_role(synced):
    owner = admin_client(synced, OWNER, role="owner")

    sent = invite(owner, NEWCOMER, "reviewer")
    assert sent.status_code == 303
    assert f"Invitation sent to {NEWCOMER}." in flashes_in(owner.get("/admin/accounts"))
    link = invitation_link(synced)
    assert link.startswith("/admin/invite/")
    stored = db.session.scalar(sa.select(AdminInvitation))
    assert link.rsplit("/", 1)[1] not in (stored.token_hash, stored.email)  # kept hashed

    newcomer = synced.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "You are invited as reviewer" in text_of(page)
    joined = join(newcomer, link)

    assert joined.status_code == 303
    assert is_signed_in(newcomer)
    assert admin_named(NEWCOMER).role == "reviewer"
    assert [e.target for e in events("account_invited")] == [NEWCOMER]
    assert events("account_invited")[0].actor == OWNER
    assert [(e.target, e.actor) for e in events("account_joined")] == [(NEWCOMER, NEWCOMER)]


def test_an_invitation_link_works_once(synced):
    owner = admin_client(synced, OWNER, role="owner")
    invite(owner)
    link = invitation_link(synced)
    assert join(synced.test_client(), link).status_code == 303

    again = synced.test_client().get(link)

    assert again.status_code == 410
    assert "This invitation link does not work: it was already used" in text_of(again)
    fresh_session()
    assert db.session.scalar(sa.select(sa.func.count(AdminUser.id))) == 2


def test_an_invitation_link_expires(synced):
    owner = admin_client(synced, OWNER, role="owner")
    invite(owner)
    link = invitation_link(synced)
    fresh_session()
    invitation = db.session.scalar(sa.select(AdminInvitation))
    invitation.expires_at = invitation.created_at + timedelta(hours=-1)
    db.session.commit()

    expired = synced.test_client().get(link)

    assert expired.status_code == 410
    assert admin_named(NEWCOMER) is None
    assert "expired" in text_of(owner.get("/admin/accounts"))


def test_a_second_invitation_to_the_same_address_is_refused_until_cancelled(synced):
    owner = admin_client(synced, OWNER, role="owner")
    invite(owner)

    twice = invite(owner)

    assert twice.status_code == 409
    assert f"An invitation to {NEWCOMER} is already waiting." in text_of(twice)
    fresh_session()
    invitation_id = db.session.scalar(sa.select(AdminInvitation.id))
    assert (
        post_action(owner, f"/admin/accounts/invitations/{invitation_id}/cancel").status_code == 303
    )
    assert synced.test_client().get(invitation_link(synced)).status_code == 410
    assert invite(owner).status_code == 303
    assert len(events("account_invitation_cancelled")) == 1


def test_an_admin_already_in_the_console_is_not_invited(synced):
    owner = admin_client(synced, OWNER, role="owner")

    response = invite(owner, OWNER)

    assert response.status_code == 409
    assert f"{OWNER} is already an admin." in text_of(response)


def test_an_invited_owner_sets_up_two_factor_sign_in_first(synced):
    owner = admin_client(synced, OWNER, role="owner")
    invite(owner, NEWCOMER, "owner")
    newcomer = synced.test_client()

    joined = join(newcomer, invitation_link(synced))

    assert joined.headers["Location"] == "/admin/two-factor"
    assert newcomer.get("/admin/certificates").headers["Location"] == "/admin/two-factor"


# --- roles, deactivation, the last owner -----------------------------------------------------


def test_an_owner_changes_a_role_and_it_applies_at_once(synced):
    owner = admin_client(synced, OWNER, role="owner")
    staff = admin_client(synced, STAFF, role="staff")
    staff_id = admin_named(STAFF).id

    changed = post_action(owner, f"/admin/accounts/{staff_id}/role", role="reviewer")

    assert changed.status_code == 303
    assert admin_named(STAFF).role == "reviewer"
    number = certificate_row(attempt_with("demo-lesson", [True] * 6)).number
    refused = post_action(staff, f"/admin/certificates/{number}/revoke", reason="x", confirm="y")
    assert refused.status_code == 403
    [event] = events("account_role_changed")
    assert (event.target, event.before, event.after) == (
        STAFF,
        {"role": "staff"},
        {"role": "reviewer"},
    )


def test_a_deactivated_admin_is_signed_out_and_cannot_sign_in(synced):
    owner = admin_client(synced, OWNER, role="owner")
    staff = admin_client(synced, STAFF, role="staff")
    staff_id = admin_named(STAFF).id

    assert post_action(owner, f"/admin/accounts/{staff_id}/deactivate").status_code == 303

    assert not is_signed_in(staff)
    refused = sign_in(synced.test_client(), STAFF, ADMIN_PASSWORD)
    assert refused.status_code == 401
    assert "This admin account is deactivated" in text_of(refused)
    assert "Deactivated" in text_of(owner.get("/admin/accounts"))

    assert post_action(owner, f"/admin/accounts/{staff_id}/reactivate").status_code == 303
    assert sign_in(synced.test_client(), STAFF, ADMIN_PASSWORD).status_code == 303
    assert [e.target for e in events("account_deactivated")] == [STAFF]
    assert [e.target for e in events("account_reactivated")] == [STAFF]


def test_a_wrong_password_for_a_deactivated_admin_says_only_that_it_is_wrong(synced):
    owner = admin_client(synced, OWNER, role="owner")
    admin_client(synced, STAFF, role="staff")
    post_action(owner, f"/admin/accounts/{admin_named(STAFF).id}/deactivate")

    response = sign_in(synced.test_client(), STAFF, "not the password at all")

    assert "deactivated" not in text_of(response)


def test_the_last_active_owner_can_be_neither_demoted_nor_deactivated(synced):
    owner = admin_client(synced, OWNER, role="owner")
    me = admin_named(OWNER).id

    demoted = post_action(owner, f"/admin/accounts/{me}/role", role="staff")
    deactivated = post_action(owner, f"/admin/accounts/{me}/deactivate")

    last = f"{OWNER} is the last active owner: the console needs one."
    assert demoted.status_code == deactivated.status_code == 303
    assert any(last in message for message in flashes_in(owner.get("/admin/accounts")))
    assert (admin_named(OWNER).role, admin_named(OWNER).active) == ("owner", True)
    assert events("account_role_changed") == events("account_deactivated") == []

    admin_client(synced, "otto@example.org", role="owner")  # a second owner
    assert post_action(owner, f"/admin/accounts/{me}/role", role="staff").status_code == 303
    assert admin_named(OWNER).role == "staff"


def test_an_owner_cannot_be_left_out_by_an_unknown_role(synced):
    owner = admin_client(synced, OWNER, role="owner")
    me = admin_named(OWNER).id

    response = post_action(owner, f"/admin/accounts/{me}/role", role="emperor")

    assert response.status_code == 400
    assert "Choose owner, staff or reviewer." in text_of(response)


# --- reasons, and an owner's reset of a lost second factor ------------------------------------


def test_each_account_change_keeps_its_reason_from_the_admin_page(synced):
    owner = admin_client(synced, OWNER, role="owner")
    admin_client(synced, STAFF, role="staff")
    staff_id = admin_named(STAFF).id
    page = owner.get(f"/admin/accounts/{staff_id}")
    assert page.status_code == 200
    role = form_posting_to(page, f"/accounts/{staff_id}/role")
    assert {"role", "reason"} <= set(role.controls)
    assert "reason" in form_posting_to(page, f"/accounts/{staff_id}/deactivate").controls
    assert f'href="/admin/accounts/{staff_id}"' in owner.get("/admin/accounts").get_data(
        as_text=True
    )

    post_action(owner, f"/admin/accounts/{staff_id}/role", role="reviewer", reason="Audit only")
    post_action(owner, f"/admin/accounts/{staff_id}/deactivate", reason="Left the clinic")
    post_action(owner, f"/admin/accounts/{staff_id}/reactivate")  # no reason: still works

    [changed] = events("account_role_changed")
    [deactivated] = events("account_deactivated")
    [reactivated] = events("account_reactivated")
    assert (changed.reason, deactivated.reason, reactivated.reason) == (
        "Audit only",
        "Left the clinic",
        "",
    )
    assert admin_named(STAFF).active and admin_named(STAFF).role == "reviewer"


def test_cancelling_an_invitation_keeps_its_reason(synced):
    owner = admin_client(synced, OWNER, role="owner")
    invite(owner, NEWCOMER)
    invite(owner, "ivy@example.org")
    ids = dict(db.session.execute(sa.select(AdminInvitation.email, AdminInvitation.id)).all())
    listing = owner.get("/admin/accounts")
    assert "reason" in form_posting_to(listing, f"/invitations/{ids[NEWCOMER]}/cancel").controls

    post_action(owner, f"/admin/accounts/invitations/{ids[NEWCOMER]}/cancel", reason="Typo")
    post_action(owner, f"/admin/accounts/invitations/{ids['ivy@example.org']}/cancel")

    assert [(e.target, e.reason) for e in events("account_invitation_cancelled")] == [
        (NEWCOMER, "Typo"),
        ("ivy@example.org", ""),
    ]


def test_a_reason_too_long_is_a_clear_422_and_changes_nothing(synced):
    owner = admin_client(synced, OWNER, role="owner")
    admin_client(synced, STAFF, role="staff")
    staff_id = admin_named(STAFF).id

    role = post_action(owner, f"/admin/accounts/{staff_id}/role", role="reviewer", reason="x" * 201)
    off = post_action(owner, f"/admin/accounts/{staff_id}/deactivate", reason="x" * 201)

    assert role.status_code == off.status_code == 422
    assert "Keep the reason under 200 characters." in text_of(role)
    assert (admin_named(STAFF).role, admin_named(STAFF).active) == ("staff", True)
    assert events("account_role_changed") == events("account_deactivated") == []


def test_an_owner_resets_a_lost_second_factor_with_a_reason(synced):
    owner = admin_client(synced, OWNER, role="owner")
    staff = admin_client(synced, STAFF, role="staff")
    turn_on_two_factor(STAFF)
    staff_id = admin_named(STAFF).id
    assert "Reset two-factor sign-in" in text_of(owner.get(f"/admin/accounts/{staff_id}"))

    without = post_action(owner, f"/admin/accounts/{staff_id}/reset-two-factor")
    assert without.status_code == 422
    assert "Say why you reset their two-factor sign-in." in text_of(without)
    assert admin_named(STAFF).two_factor_since is not None

    done = post_action(
        owner, f"/admin/accounts/{staff_id}/reset-two-factor", reason="Lost phone, ticket 12"
    )

    assert done.status_code == 303
    fresh_session()
    user = admin_named(STAFF)
    assert (user.two_factor_since, user.totp_secret) == (None, None)
    codes_left = sa.select(sa.func.count(AdminRecoveryCode.id))
    assert db.session.scalar(codes_left.where(AdminRecoveryCode.admin_id == staff_id)) == 0
    assert not is_signed_in(staff)  # their sessions end
    # staff need no second factor: the password alone signs in again
    assert sign_in(synced.test_client(), STAFF, ADMIN_PASSWORD).headers["Location"] == "/admin"
    [event] = events("two_factor_reset")
    assert (event.actor, event.target, event.reason) == (OWNER, STAFF, "Lost phone, ticket 12")
    assert (event.before, event.after) == ({"two_factor": True}, {"two_factor": False})


def test_a_reset_owner_sets_it_up_again_at_the_next_sign_in(synced):
    owner = admin_client(synced, OWNER, role="owner")
    admin_client(synced, "otto@example.org", role="owner")
    otto = admin_named("otto@example.org").id

    post_action(owner, f"/admin/accounts/{otto}/reset-two-factor", reason="New phone")

    again = sign_in(synced.test_client(), "otto@example.org", ADMIN_PASSWORD)
    assert again.headers["Location"] == "/admin/two-factor"


def test_an_owner_resets_neither_their_own_second_factor_here_nor_one_that_is_off(synced):
    owner = admin_client(synced, OWNER, role="owner")
    admin_client(synced, STAFF, role="staff")  # two-factor sign-in off
    me, staff_id = admin_named(OWNER).id, admin_named(STAFF).id

    post_action(owner, f"/admin/accounts/{me}/reset-two-factor", reason="x")
    own = " ".join(flashes_in(owner.get("/admin/accounts")))
    post_action(owner, f"/admin/accounts/{staff_id}/reset-two-factor", reason="x")
    off = " ".join(flashes_in(owner.get("/admin/accounts")))

    assert "Your own two-factor sign-in is on the Two-factor sign-in page" in own
    assert f"{STAFF} has no two-factor sign-in to reset." in off
    assert admin_named(OWNER).two_factor_since is not None
    assert events("two_factor_reset") == []
    assert owner.get("/admin/accounts/999999").status_code == 404


# --- the command line ------------------------------------------------------------------------


def admin_command(runner, *args: str, password: str | None = None):
    return runner.invoke(args=["admin", *args], input=None if password is None else password + "\n")


def test_create_user_takes_a_role_and_is_in_the_audit_trail(app, runner):
    result = admin_command(
        runner, "create-user", REVIEWER, "--role", "reviewer", password=ADMIN_PASSWORD
    )

    assert result.exit_code == 0, result.output
    assert f"Created admin {REVIEWER} (reviewer)." in result.output
    assert admin_named(REVIEWER).role == "reviewer"
    [event] = events("account_created")
    assert event.actor.startswith("command line")
    assert (event.target, event.after) == (REVIEWER, {"role": "reviewer"})
    assert sign_in(app.test_client(), REVIEWER, ADMIN_PASSWORD).headers["Location"] == "/admin"


def test_create_user_makes_an_owner_by_default(app, runner):
    admin_command(runner, "create-user", OWNER, password=ADMIN_PASSWORD)

    assert admin_named(OWNER).role == "owner"


def test_set_password_is_in_the_audit_trail(app, runner):
    admin_command(runner, "create-user", STAFF, "--role", "staff", password=ADMIN_PASSWORD)

    admin_command(runner, "set-password", STAFF, password=NEW_PASSWORD)

    assert [e.target for e in events("password_changed")] == [STAFF]
