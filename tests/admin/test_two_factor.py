"""Two-factor sign-in: an owner sets it up before anything else (a QR code and a key for the
authenticator app, then ten recovery codes), then signs in with a password and a code; a
wrong or reused code is refused, a recovery code works once, and `ceengine admin reset-2fa`
helps an owner who lost both.

Codes are made from the secret with pyotp, as the phone's app makes them.
"""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from ceengine.admin.accounts import admin_by_email, create_admin
from ceengine.admin.models import AdminRecoveryCode
from ceengine.admin.two_factor import secret_of
from ceengine.audit.models import AuditEvent
from ceengine.extensions import db
from tests.support.admin_steps import (
    ADMIN_PASSWORD,
    admin_client,
    fresh_session,
    give_code,
    is_signed_in,
    next_code,
    post_action,
    sign_in,
    turn_on_two_factor,
)
from tests.support.html import csrf_token_in, text_of

OWNER = "olive@example.org"
WRONG = "That code is not right, or was already used. Please try again."


def events(action: str) -> list[AuditEvent]:
    fresh_session()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def owner_without_two_factor() -> None:
    create_admin(OWNER, ADMIN_PASSWORD, "owner")


def owner_with_two_factor() -> list[str]:
    owner_without_two_factor()
    return turn_on_two_factor(OWNER)


def password_step(app):
    client = app.test_client()
    response = sign_in(client, OWNER, ADMIN_PASSWORD)
    assert response.headers["Location"] == "/admin/login/code"
    return client


# --- setting it up ---------------------------------------------------------------------------


def test_an_owner_without_two_factor_sets_it_up_before_anything_else(app):
    owner_without_two_factor()
    client = app.test_client()

    signed_in = sign_in(client, OWNER, ADMIN_PASSWORD)
    assert signed_in.headers["Location"] == "/admin/two-factor"
    assert client.get("/admin/certificates").headers["Location"] == "/admin/two-factor"
    refused = post_action(client, "/admin/exports/ce-broker/reported", token=None)
    assert refused.status_code in (400, 403)

    page = client.get("/admin/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "Scan this QR code" in text_of(page)
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    assert key in text_of(client.get("/admin/two-factor")).replace(" ", "")  # the same key
    fresh_session()
    assert admin_by_email(OWNER).totp_secret is None  # showing the page stores nothing

    token = csrf_token_in(html)
    wrong = client.post("/admin/two-factor", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 422 and WRONG in text_of(wrong)
    done = client.post(
        "/admin/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(key).now()}
    )

    assert done.status_code == 200
    codes = re.findall(
        r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True)
    )
    assert len(set(codes)) == 10
    assert client.get("/admin/certificates").status_code == 200
    assert "Two-factor sign-in is on" in text_of(client.get("/admin/two-factor"))
    assert [e.target for e in events("two_factor_enabled")] == [OWNER]
    stored = admin_by_email(OWNER).totp_secret
    assert key == secret_of(admin_by_email(OWNER)) and key not in stored  # stored encrypted
    hashes = set(db.session.scalars(sa.select(AdminRecoveryCode.code_hash)))
    assert not hashes & {c.replace("-", "") for c in codes}  # stored hashed


def test_owners_may_sign_in_without_it_where_the_operator_turned_the_rule_off(app):
    app.config["OWNER_TWO_FACTOR"] = False
    owner_without_two_factor()

    assert sign_in(app.test_client(), OWNER, ADMIN_PASSWORD).headers["Location"] == "/admin"


# --- signing in with a code ------------------------------------------------------------------


def test_a_right_code_signs_in_and_a_wrong_one_is_refused(app):
    owner_with_two_factor()
    client = password_step(app)
    assert not is_signed_in(client)  # the password alone is not enough
    page = client.get("/admin/login/code")
    assert page.status_code == 200 and "Two-factor sign-in" in text_of(page)

    wrong = give_code(client, "123456")
    assert wrong.status_code == 401 and WRONG in text_of(wrong)
    assert [e.target for e in events("two_factor_failed")] == [OWNER]
    right = give_code(client, next_code(OWNER))

    assert right.status_code == 303 and right.headers["Location"] == "/admin"
    assert is_signed_in(client)
    assert [e.target for e in events("sign_in")] == [OWNER]


def test_a_code_is_never_accepted_twice(app):
    owner_with_two_factor()
    code = next_code(OWNER)
    assert give_code(password_step(app), code).status_code == 303

    again = password_step(app)
    response = give_code(again, code)

    assert response.status_code == 401 and WRONG in text_of(response)
    assert not is_signed_in(again)


def test_a_recovery_code_signs_in_once(app):
    codes = owner_with_two_factor()
    first = password_step(app)
    assert give_code(first, codes[3].upper()).status_code == 303  # typed any case
    assert is_signed_in(first)

    second = password_step(app)
    refused = give_code(second, codes[3])

    assert refused.status_code == 401
    assert not is_signed_in(second)
    assert give_code(second, codes[4].replace("-", " ")).status_code == 303
    assert [e.target for e in events("recovery_code_used")] == [OWNER, OWNER]
    assert "8 unused recovery codes" in text_of(second.get("/admin/two-factor"))


def test_the_code_page_without_a_right_password_goes_back_to_sign_in(app):
    owner_with_two_factor()
    client = app.test_client()
    client.get("/admin/login")

    page = client.get("/admin/login/code")

    assert page.headers["Location"] == "/admin/login"


def test_wrong_codes_lock_the_account_like_wrong_passwords(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "100 per minute"
    owner_with_two_factor()
    client = password_step(app)

    answers = [give_code(client, f"00000{n}") for n in range(5)]

    assert "locked" in text_of(answers[-1])
    fresh_session()
    assert admin_by_email(OWNER).locked_until is not None
    assert sign_in(app.test_client(), OWNER, ADMIN_PASSWORD).status_code == 401


def test_the_code_page_is_rate_limited(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "3 per minute"
    owner_with_two_factor()
    client = password_step(app)

    statuses = [give_code(client, "111111").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_a_staff_member_may_turn_it_on_too(app):
    staff = admin_client(app, "sam@example.org", role="staff")
    assert staff.get("/admin/two-factor").status_code == 200
    turn_on_two_factor("sam@example.org")

    assert (
        sign_in(app.test_client(), "sam@example.org", ADMIN_PASSWORD).headers["Location"]
        == "/admin/login/code"
    )


# --- a lost phone ------------------------------------------------------------------------------


def test_reset_2fa_lets_a_locked_out_owner_set_it_up_again(app, runner):
    owner_with_two_factor()
    signed_in = admin_client(app, OWNER, role="owner")

    result = runner.invoke(args=["admin", "reset-2fa", OWNER])

    assert result.exit_code == 0, result.output
    assert f"Reset two-factor sign-in of {OWNER}" in result.output
    assert not is_signed_in(signed_in)
    fresh_session()
    assert db.session.scalar(sa.select(sa.func.count(AdminRecoveryCode.id))) == 0
    again = sign_in(app.test_client(), OWNER, ADMIN_PASSWORD)
    assert again.headers["Location"] == "/admin/two-factor"
    [event] = events("two_factor_reset")
    assert event.actor.startswith("command line")


def test_reset_2fa_names_an_unknown_admin(app, runner):
    result = runner.invoke(args=["admin", "reset-2fa", "nobody@example.org"])

    assert result.exit_code == 1
    assert "There is no admin with the email nobody@example.org." in result.output


@pytest.mark.parametrize("key", ["another key entirely"])
def test_a_changed_key_makes_stored_secrets_unreadable_not_a_crash(app, key):
    owner_with_two_factor()
    app.config["TWO_FACTOR_KEY"] = key
    client = password_step(app)

    response = give_code(client, "123456")

    assert response.status_code == 401
