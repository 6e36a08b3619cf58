"""Two-factor sign-in: an owner sets it up before anything else (a QR code and a key for the
authenticator app, then ten recovery codes), then signs in with a password and a code; a
wrong or reused code is refused, a recovery code works once, and `ceengine admin reset-2fa`
helps an owner who lost both.

Codes are made from the secret with pyotp, as the phone's app makes them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ceengine.admin import two_factor
from ceengine.admin.accounts import admin_by_email, create_admin
from ceengine.admin.models import AdminRecoveryCode
from ceengine.admin.two_factor import secret_of
from ceengine.audit import trail as audit
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
from tests.support.security_steps import database_state

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


# --- showing the set-up page writes nothing -------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "owner"])
def test_showing_the_set_up_page_changes_nothing_stored(app, role):
    if role == "owner":
        owner_without_two_factor()
        client = app.test_client()
        sign_in(client, OWNER, ADMIN_PASSWORD)
    else:
        client = admin_client(app, "rae@example.org", role="reviewer")
    before = database_state()

    first = client.get("/admin/two-factor")
    second = client.get("/admin/two-factor")

    assert first.status_code == second.status_code == 200
    assert database_state() == before
    assert shown_key(first) == shown_key(second)  # the same key until it is confirmed


def test_the_key_is_kept_per_browser_and_confirmed_once(app):
    owner_without_two_factor()
    client, other = app.test_client(), app.test_client()
    sign_in(client, OWNER, ADMIN_PASSWORD)
    sign_in(other, OWNER, ADMIN_PASSWORD)
    key, other_key = (
        shown_key(client.get("/admin/two-factor")),
        shown_key(other.get("/admin/two-factor")),
    )
    assert key != other_key

    wrong_browser = post_action(
        other, "/admin/two-factor", token=setup_token(other), code=pyotp.TOTP(key).now()
    )
    assert wrong_browser.status_code == 422 and WRONG in text_of(wrong_browser)
    done = post_action(
        client, "/admin/two-factor", token=setup_token(client), code=pyotp.TOTP(key).now()
    )

    assert done.status_code == 200
    fresh_session()
    assert secret_of(admin_by_email(OWNER)) == key


def shown_key(response) -> str:
    html = response.get_data(as_text=True)
    return re.search(r"Key: <code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")


def setup_token(client) -> str:
    return csrf_token_in(client.get("/admin/two-factor").get_data(as_text=True))


# --- new recovery codes; turning it off ----------------------------------------------------


def a_step_later(monkeypatch) -> None:
    """The console's clock one 30-second step on, as for a person who signed in and acts a
    little later: the next unused code (the step after the sign-in's) is then current."""
    now = two_factor.utcnow
    monkeypatch.setattr(two_factor, "utcnow", lambda: now() + timedelta(seconds=30))


def test_new_recovery_codes_replace_the_old_ones_after_a_current_code(app, monkeypatch):
    old = owner_with_two_factor()
    client = admin_client(app, OWNER, role="owner")
    a_step_later(monkeypatch)
    page = client.get("/admin/two-factor")
    assert "Make new recovery codes" in text_of(page)
    assert "Owners keep two-factor sign-in on" in text_of(page)  # no turning off for owners

    wrong = post_action(client, "/admin/two-factor/recovery-codes", code="000000")
    assert wrong.status_code == 422 and WRONG in text_of(wrong)
    assert [e.reason for e in events("two_factor_failed")] == ["making new recovery codes"]
    done = post_action(client, "/admin/two-factor/recovery-codes", code=next_code(OWNER))

    assert done.status_code == 200 and "New recovery codes" in text_of(done)
    new = re.findall(
        r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True)
    )
    assert len(set(new)) == 10 and not set(new) & set(old)
    assert [e.target for e in events("recovery_codes_renewed")] == [OWNER]
    assert give_code(password_step(app), old[0]).status_code == 401  # the old ones stop working
    assert give_code(password_step(app), new[0]).status_code == 303


def test_a_recovery_code_does_not_make_new_recovery_codes(app):
    old = owner_with_two_factor()
    client = admin_client(app, OWNER, role="owner")

    refused = post_action(client, "/admin/two-factor/recovery-codes", code=old[0])

    assert refused.status_code == 422
    assert events("recovery_codes_renewed") == []
    assert give_code(password_step(app), old[0]).status_code == 303  # and it was not used up


def test_staff_turn_it_off_with_a_current_code(app, monkeypatch):
    staff = admin_client(app, "sam@example.org", role="staff")
    turn_on_two_factor("sam@example.org")
    a_step_later(monkeypatch)
    assert "Turn two-factor sign-in off" in text_of(staff.get("/admin/two-factor"))

    wrong = post_action(staff, "/admin/two-factor/off", code="000000")
    assert wrong.status_code == 422 and WRONG in text_of(wrong)
    done = post_action(staff, "/admin/two-factor/off", code=next_code("sam@example.org"))

    assert done.status_code == 303
    fresh_session()
    user = admin_by_email("sam@example.org")
    assert (user.two_factor_since, user.totp_secret) == (None, None)
    assert db.session.scalar(sa.select(sa.func.count(AdminRecoveryCode.id))) == 0
    assert (
        sign_in(app.test_client(), "sam@example.org", ADMIN_PASSWORD).headers["Location"]
        == "/admin"
    )
    [event] = events("two_factor_disabled")
    assert (event.actor, event.target) == ("sam@example.org", "sam@example.org")
    assert "Scan this QR code" in text_of(staff.get("/admin/two-factor"))  # on again from here


def test_a_reviewer_may_turn_it_off_too(app, monkeypatch):
    reviewer = admin_client(app, "rae@example.org", role="reviewer")
    turn_on_two_factor("rae@example.org")
    a_step_later(monkeypatch)

    done = post_action(reviewer, "/admin/two-factor/off", code=next_code("rae@example.org"))

    assert done.status_code == 303
    assert [e.target for e in events("two_factor_disabled")] == ["rae@example.org"]


def test_an_owner_cannot_turn_it_off_while_owners_must_have_it(app, monkeypatch):
    owner_with_two_factor()
    client = admin_client(app, OWNER, role="owner")
    a_step_later(monkeypatch)

    refused = post_action(client, "/admin/two-factor/off", code=next_code(OWNER))

    assert refused.status_code == 409
    assert "Owners keep two-factor sign-in on" in text_of(refused)
    fresh_session()
    assert admin_by_email(OWNER).two_factor_since is not None
    assert events("two_factor_disabled") == []

    app.config["OWNER_TWO_FACTOR"] = False  # the operator turned the rule off
    assert post_action(client, "/admin/two-factor/off", code=next_code(OWNER)).status_code == 303


# --- sign-ins refused by the rate limit ------------------------------------------------------


def test_a_sign_in_refused_for_too_many_attempts_is_in_the_trail_once_a_minute(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "2 per minute"
    owner_with_two_factor()
    client = app.test_client()

    statuses = [
        sign_in(client, "Olive@Example.org", "wrong password!").status_code for _ in range(4)
    ]

    assert statuses == [401, 401, 429, 429]
    [event] = events("sign_in_throttled")
    assert (event.actor, event.target, event.reason) == (OWNER, OWNER, "too many attempts")
    assert event.address == "127.0.0.1" and event.admin_id is None
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "100 per minute"
    assert "Sign-in refused: too many attempts" in text_of(admin_client(app).get("/admin/audit"))


def test_the_code_page_refused_for_too_many_attempts_is_in_the_trail(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "1 per minute"
    owner_with_two_factor()
    client = password_step(app)

    statuses = [give_code(client, "111111").status_code for _ in range(2)]

    assert statuses == [401, 429]
    assert [e.target for e in events("sign_in_throttled")] == [OWNER]


def test_a_trail_that_cannot_take_the_refusal_still_gives_the_429(app, monkeypatch):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "1 per minute"

    record = audit.record

    def broken(action, *args, **kwargs):
        if action == "sign_in_throttled":
            raise OperationalError("INSERT", {}, Exception("the database is gone"))
        return record(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", broken)
    client = app.test_client()

    statuses = [sign_in(client, "x@example.org", "wrong password!").status_code for _ in range(2)]

    assert statuses == [401, 429]
