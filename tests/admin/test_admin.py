"""The admin console's doors: accounts, signing in and out, the guard, CSRF on every action.

Admins are made with `ceengine admin create-user` (or the same service), sign in at
/admin/login, get locked out for 15 minutes after five wrong passwords, and are signed out
everywhere when their password changes. Every admin address but the sign-in page sends an
anonymous visitor to sign in (checked by walking the URL map, so a new page cannot forget
it), and every admin action needs the form's CSRF token.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from ceengine.admin.accounts import admin_by_email, create_admin
from ceengine.admin.models import AdminSession, AdminUser
from ceengine.admin.roles import OPEN_ENDPOINTS
from ceengine.certificates.models import REVOKED, Certificate
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.feedback.models import APPROVED, Reflection
from ceengine.outbox.models import OutboxMessage
from tests.support.admin_steps import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    NOT_RIGHT,
    admin_client,
    admin_token,
    ensure_admin,
    fresh_session,
    is_signed_in,
    post_action,
    sign_in,
)
from tests.support.certificate_steps import take_quiz
from tests.support.factories import attempt_with, certificate_row, reflection_with, rows_of
from tests.support.html import csrf_token_in, flashes_in, text_of

NEW_PASSWORD = "another long passphrase"
LOCKED = (
    "Too many failed sign-ins. For your security this account is locked; try again in 15 minutes."
)


def admin_command(runner, *args: str, password: str | None = None):
    """Run `ceengine admin ARGS...`, piping `password` (one line) to standard input."""
    return runner.invoke(args=["admin", *args], input=None if password is None else f"{password}\n")


def admin_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AdminUser))


# --- accounts from the command line ------------------------------------------------------


def test_create_user_reads_the_password_from_stdin_and_the_admin_can_sign_in(app, runner):
    result = admin_command(
        runner, "create-user", "  Dana@Compassion.TEST ", password=ADMIN_PASSWORD
    )

    assert result.exit_code == 0, result.output
    assert "Created admin dana@compassion.test (owner). Sign in at /admin/login." in result.output
    assert ADMIN_PASSWORD not in result.output
    response = sign_in(app.test_client(), "DANA@compassion.test", ADMIN_PASSWORD)
    assert response.status_code == 303
    # an owner (the default role) sets up two-factor sign-in before anything else
    assert response.headers["Location"] == "/admin/two-factor"


def test_create_user_refuses_a_short_password(app, runner):
    result = admin_command(runner, "create-user", ADMIN_EMAIL, password="eleven-char")

    assert result.exit_code == 1
    assert "Error: The password needs at least 12 characters." in result.output
    assert admin_count() == 0


def test_create_user_refuses_an_email_already_used(app, runner):
    admin_command(runner, "create-user", ADMIN_EMAIL, password=ADMIN_PASSWORD)

    result = admin_command(runner, "create-user", ADMIN_EMAIL.upper(), password=NEW_PASSWORD)

    assert result.exit_code == 1
    assert (
        f"Error: An admin with the email {ADMIN_EMAIL} already exists; use "
        "`ceengine admin set-password` to change the password."
    ) in result.output
    assert admin_count() == 1
    assert sign_in(app.test_client(), password=ADMIN_PASSWORD).status_code == 303


def test_create_user_refuses_something_that_is_not_an_email(app, runner):
    result = admin_command(runner, "create-user", "dana", password=ADMIN_PASSWORD)

    assert result.exit_code == 1
    assert "Error: 'dana' is not an email address." in result.output
    assert admin_count() == 0


def test_set_password_changes_it_and_signs_out_existing_sessions(app, runner):
    signed_in = admin_client(app)
    assert is_signed_in(signed_in)

    result = admin_command(runner, "set-password", ADMIN_EMAIL, password=NEW_PASSWORD)
    fresh_session()

    assert result.exit_code == 0, result.output
    assert (
        f"Changed the password of {ADMIN_EMAIL}; their other sessions are signed out."
        in result.output
    )
    assert not is_signed_in(signed_in)
    assert sign_in(app.test_client(), password=ADMIN_PASSWORD).status_code == 401
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 303


def test_set_password_refuses_a_short_password_or_an_unknown_admin(app, runner):
    ensure_admin()

    short = admin_command(runner, "set-password", ADMIN_EMAIL, password="too short")
    unknown = admin_command(runner, "set-password", "nobody@compassion.test", password=NEW_PASSWORD)

    assert short.exit_code == 1
    assert "Error: The password needs at least 12 characters." in short.output
    assert unknown.exit_code == 1
    assert "Error: There is no admin with the email nobody@compassion.test." in unknown.output
    fresh_session()
    assert sign_in(app.test_client()).status_code == 303


def test_set_password_unlocks_a_locked_account(app, runner):
    ensure_admin()
    client = app.test_client()
    for _ in range(5):
        sign_in(client, password="wrong password!")
    assert LOCKED in text_of(sign_in(client))

    admin_command(runner, "set-password", ADMIN_EMAIL, password=NEW_PASSWORD)
    fresh_session()

    assert sign_in(client, password=NEW_PASSWORD).status_code == 303


# --- signing in ----------------------------------------------------------------------------


def test_signing_in_goes_to_the_console_and_its_pages_work(app):
    ensure_admin()
    client = app.test_client()

    response = sign_in(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin"
    for page, heading in [
        ("/admin", "Overview"),
        ("/admin/ratings", "Ratings"),
        ("/admin/evaluations", "Evaluation summary"),
        ("/admin/comments", "Evaluation comments"),
        ("/admin/reflections", "Reflections"),
        ("/admin/results", "Quiz results"),
        ("/admin/certificates", "Certificates"),
        ("/admin/orders", "Orders"),
        ("/admin/exports", "Exports"),
    ]:
        page_response = client.get(page)
        assert page_response.status_code == 200, page
        assert f"<h1>{heading}</h1>" in page_response.get_data(as_text=True), page
        assert ADMIN_EMAIL in text_of(page_response)
    assert admin_by_email(ADMIN_EMAIL).last_sign_in_at is not None


def test_the_sign_in_page_shows_to_a_signed_in_admin_as_a_redirect(app):
    client = admin_client(app)

    response = client.get("/admin/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"


@pytest.mark.parametrize(
    "email, password",
    [(ADMIN_EMAIL, "not the password"), ("nobody@compassion.test", ADMIN_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_get_one_message_whatever_was_wrong(app, email, password):
    ensure_admin()
    client = app.test_client()

    response = sign_in(client, email, password)

    assert response.status_code == 401
    assert NOT_RIGHT in text_of(response)
    assert "locked" not in text_of(response)
    assert not is_signed_in(client)
    page = response.get_data(as_text=True)
    assert 'value="not the password"' not in page and ADMIN_PASSWORD not in page


def test_an_empty_form_is_refused_with_field_messages(app):
    client = app.test_client()
    token = csrf_token_in(client.get("/admin/login").get_data(as_text=True))

    response = client.post("/admin/login", data={"csrf_token": token, "email": "", "password": ""})

    assert response.status_code == 422
    assert "Enter your email address." in text_of(response)
    assert "Enter your password." in text_of(response)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(app):
    ensure_admin()
    client = app.test_client()

    first_four = [sign_in(client, password=f"wrong password {n}") for n in range(4)]
    fifth = sign_in(client, password="wrong password 5")
    right = sign_in(client)

    assert all(r.status_code == 401 and NOT_RIGHT in text_of(r) for r in first_four)
    assert fifth.status_code == 401
    assert LOCKED in text_of(fifth)
    assert right.status_code == 401
    assert LOCKED in text_of(right)
    assert not is_signed_in(client)
    # another browser is refused too: the lock is on the account, not the browser
    assert LOCKED in text_of(sign_in(app.test_client()))


def test_the_lock_counts_down_and_lifts_after_15_minutes(app):
    ensure_admin()
    client = app.test_client()
    for n in range(5):
        sign_in(client, password=f"wrong password {n}")
    user = admin_by_email(ADMIN_EMAIL)

    user.locked_until = utcnow() + timedelta(minutes=1, seconds=-5)
    db.session.commit()
    one_minute = sign_in(client)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    lifted = sign_in(client)

    assert one_minute.status_code == 401
    assert "try again in 1 minute." in text_of(one_minute)
    assert lifted.status_code == 303
    assert is_signed_in(client)


def test_a_right_password_resets_the_count_of_failures(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "100 per minute"  # ten sign-ins; not the point here
    ensure_admin()
    client = app.test_client()
    for n in range(4):
        sign_in(client, password=f"wrong password {n}")
    assert sign_in(client).status_code == 303
    other = app.test_client()

    after = [sign_in(other, password=f"wrong again {n}") for n in range(4)]

    assert all(NOT_RIGHT in text_of(r) for r in after)  # four more, still not locked
    assert sign_in(other).status_code == 303


def test_the_sign_in_form_is_rate_limited(app):
    app.config["ADMIN_LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()

    statuses = [
        sign_in(client, "nobody@compassion.test", "whatever it is").status_code for _ in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    assert client.get("/admin/login").status_code == 200  # only POSTs are counted


def test_the_sign_in_page_needs_its_csrf_token(app):
    ensure_admin()
    client = app.test_client()
    client.get("/admin/login")

    response = client.post("/admin/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})

    assert response.status_code == 400
    assert not is_signed_in(client)


# --- where signing in leads ----------------------------------------------------------------


def test_an_anonymous_visit_comes_back_to_the_page_after_signing_in(app):
    ensure_admin()
    client = app.test_client()

    redirected = client.get("/admin/certificates?q=kim")
    assert redirected.status_code == 302
    location = redirected.headers["Location"]
    assert location.startswith("/admin/login?next=")
    response = client.post(
        location,
        data={
            "csrf_token": csrf_token_in(client.get(location).get_data(as_text=True)),
            "email": ADMIN_EMAIL,
            "password": ADMIN_PASSWORD,
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/certificates?q=kim"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test",
        "//evil.test/admin",
        "/\\evil.test",
        "/admin//evil.test",
        "/admin\\@evil.test",
        "/courses/demo-lesson",
        "javascript:alert(1)",
    ],
)
def test_next_only_leads_inside_the_admin_console(app, target):
    ensure_admin()

    response = sign_in(app.test_client(), next_page=target)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin"


def test_a_line_break_in_next_goes_to_the_console(app):
    ensure_admin()

    response = sign_in(app.test_client(), next_page="/admin\r\nSet-Cookie: x=1")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin"


def test_next_inside_the_admin_console_is_followed(app):
    ensure_admin()

    response = sign_in(app.test_client(), next_page="/admin/results")

    assert response.headers["Location"] == "/admin/results"


# --- signing out ---------------------------------------------------------------------------


def test_signing_out_ends_the_session(app):
    client = admin_client(app)

    response = post_action(client, "/admin/logout")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login"
    assert "You have signed out." in flashes_in(client.get("/admin/login"))
    assert not is_signed_in(client)


def test_signing_out_without_the_csrf_token_is_refused_and_keeps_the_session(app):
    client = admin_client(app)

    response = post_action(client, "/admin/logout", token=None)

    assert response.status_code == 400
    assert is_signed_in(client)


def test_signing_out_does_not_sign_out_other_browsers(app):
    first, second = admin_client(app), admin_client(app)

    post_action(first, "/admin/logout")

    assert not is_signed_in(first)
    assert is_signed_in(second)


# --- a session ends wherever its cookie was copied to ----------------------------------------


def copy_of(app, client, user_agent: str | None = None):
    """Another browser holding a copy of `client`'s session cookie (as a thief would)."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    if user_agent:
        copy.environ_base["HTTP_USER_AGENT"] = user_agent
    return copy


def shows_sign_in(client) -> bool:
    """Whether the console sends this browser to the sign-in page."""
    response = client.get("/admin")
    return (
        response.status_code == 302
        and response.headers["Location"].startswith("/admin/login")
        and "Admin sign-in" in text_of(client.get(response.headers["Location"]))
    )


def at_hours_after_sign_in(monkeypatch, signed_in_at, hours: float) -> None:
    """Move both clocks (the database's and the session cookie's) `hours` on."""
    later = signed_in_at + timedelta(hours=hours)
    monkeypatch.setattr("ceengine.admin.accounts.utcnow", lambda: later)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(later.timestamp()))


def test_signing_out_ends_the_session_in_every_copy_of_its_cookie(app):
    first = admin_client(app)
    copy = copy_of(app, first)
    assert is_signed_in(copy)  # the control: a copy works while the session lasts

    post_action(first, "/admin/logout")

    assert shows_sign_in(copy)
    assert shows_sign_in(first)


def test_a_copied_cookie_is_refused_after_a_password_change(app, runner):
    first = admin_client(app)
    copy = copy_of(app, first)

    result = admin_command(runner, "set-password", ADMIN_EMAIL, password=NEW_PASSWORD)
    fresh_session()

    assert result.exit_code == 0, result.output
    assert shows_sign_in(copy)
    assert shows_sign_in(first)


def test_a_session_cookie_that_turns_up_in_another_browser_is_dropped(app):
    first = admin_client(app)

    elsewhere = copy_of(app, first, user_agent="Mozilla/5.0 (X11; Linux) Firefox/133.0")

    assert shows_sign_in(elsewhere)
    assert shows_sign_in(first)  # a stolen session is ended for everyone: sign in again


def test_a_session_lasts_8_hours_from_sign_in_however_busy(app, monkeypatch):
    signed_in_at = utcnow()
    client = admin_client(app)

    at_hours_after_sign_in(monkeypatch, signed_in_at, 7)
    assert is_signed_in(client)  # the cookie is renewed on this request

    at_hours_after_sign_in(monkeypatch, signed_in_at, 8 + 1 / 60)
    assert shows_sign_in(client)
    assert sign_in(client).status_code == 303  # signing in again starts a new 8 hours
    assert is_signed_in(client)


def test_admin_pages_are_never_cached(app):
    client = admin_client(app)
    anonymous = app.test_client()

    responses = [
        client.get("/admin"),
        client.get("/admin/certificates"),
        client.get("/admin/exports/roster.csv"),
        client.get("/admin/certificates/x"),
        anonymous.get("/admin/login"),
        anonymous.get("/admin/results"),
        anonymous.post("/admin/logout"),
        post_action(client, "/admin/logout"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 200, 302, 400, 303]
    assert [r.headers.get("Cache-Control") for r in responses] == ["no-store"] * len(responses)


# --- the guard, on every admin address -----------------------------------------------------


def plausible_url(rule, values: dict[str, str]) -> str:
    """The rule's address with each variable filled in (the first choice of an any())."""

    def fill(match: re.Match) -> str:
        converter, arguments, name = match.group(1), match.group(2), match.group(3)
        if converter == "any":
            return arguments.split(",")[0].strip().strip("'\"")
        if converter == "int":
            return values.get(name, "1")
        return values.get(name, "x")

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", fill, rule.rule)


def admin_rules(app) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and rule.endpoint not in OPEN_ENDPOINTS
    ]


def admin_records() -> list:
    """What an admin action could change: certificates, reflections, admin accounts, sessions,
    emails queued."""
    db.session.expire_all()
    return (
        [m.key for m in rows_of(OutboxMessage)]
        + [(c.number, c.status, c.revoked_reason, c.full_name) for c in rows_of(Certificate)]
        + [(r.id, r.status) for r in rows_of(Reflection)]
        + [(a.email, a.password_hash) for a in rows_of(AdminUser)]
        + [(s.admin_id, s.token_hash) for s in rows_of(AdminSession)]
    )


@pytest.fixture
def records(synced):
    """An admin account, a certificate and a reflection waiting for moderation."""
    ensure_admin()
    certificate = certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Kim Lee")
    reflection = reflection_with("demo-lesson", "Sam", "I slowed down today.")
    return {
        "number": certificate.number,
        "reflection_id": str(reflection.id),
        "version_id": str(certificate.version_id),
        "learner_id": str(certificate.learner_id),
    }


def test_every_admin_address_sends_an_anonymous_visitor_to_sign_in(synced, records):
    client = synced.test_client()
    # a real CSRF token (from the sign-in page), so the guard is what refuses the POSTs
    token = csrf_token_in(client.get("/admin/login").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "reason": "Issued in error",
        "confirm": "y",
        "full_name": "Mallory",
        "email": "mallory@evil.test",
        "key": "k" * 22,
        "submit": "Confirm",
    }
    before = admin_records()
    rules = admin_rules(synced)
    seen = []

    for rule in rules:
        url = plausible_url(rule, records)
        for method in sorted(rule.methods - {"OPTIONS"}):
            if method in ("GET", "HEAD"):
                response = client.open(url, method=method)
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].startswith("/admin/login?next="), url
                assert b"Kim Lee" not in response.data and b"I slowed down" not in response.data
                seen.append((method, url))
            else:
                refused = client.open(url, method=method, data=form)
                assert refused.status_code == 401, (method, url, refused.status_code)
                assert "Please sign in to the admin console first." in text_of(refused)
                without_token = client.open(url, method=method, data={**form, "csrf_token": ""})
                assert without_token.status_code in (400, 401), (method, url)
                seen.append((method, url))

    assert len(rules) >= 15, [r.rule for r in rules]
    assert {r.endpoint for r in rules} >= {
        "admin.logout",
        "admin.overview",
        "admin.ratings",
        "admin.comments",
        "admin.evaluations",
        "admin.results",
        "admin.items",
        "admin.reflections",
        "admin.moderate",
        "admin.delete",
        "admin.certificates",
        "admin.certificate",
        "admin.revoke",
        "admin.reissue",
        "admin.resend",
        "admin.learners",
        "admin.learner",
        "admin.orders",
        "admin.exports",
        "admin.roster",
        "admin.evaluations_export",
        "admin.roster_xlsx",
        "admin.evaluations_xlsx",
        "admin.orders_export",
        "admin.orders_xlsx",
    }
    assert ("POST", f"/admin/certificates/{records['number']}/revoke") in seen
    assert ("GET", f"/admin/learners/{records['learner_id']}") in seen
    assert ("POST", f"/admin/certificates/{records['number']}/resend") in seen
    assert admin_records() == before


def test_the_guard_walk_fills_in_real_records(synced, records):
    """The walk above asks for pages that exist: signed in (as an owner), each GET answers
    200."""
    client = admin_client(synced, "olive@compassion.test", role="owner")

    for rule in admin_rules(synced):
        if "GET" in rule.methods:
            url = plausible_url(rule, records)
            assert client.get(url).status_code == 200, url


def test_a_learner_who_took_a_quiz_is_still_anonymous_to_the_console(synced, records, client):
    take_quiz(client, "demo-lesson")
    assert client.get_cookie("ceengine_learner") is not None
    token = csrf_token_in(client.get("/admin/login").get_data(as_text=True))
    before = admin_records()

    page = client.get("/admin/certificates")
    action = client.post(
        f"/admin/certificates/{records['number']}/revoke",
        data={"csrf_token": token, "reason": "x", "confirm": "y"},
    )

    assert page.status_code == 302
    assert page.headers["Location"].startswith("/admin/login")
    assert action.status_code == 401
    assert admin_records() == before


def test_a_session_from_a_deleted_admin_is_anonymous(app):
    client = admin_client(app)
    db.session.execute(sa.delete(AdminUser))
    db.session.commit()

    assert not is_signed_in(client)


# --- every admin action needs its CSRF token -----------------------------------------------


def action_without_token(name: str, records: dict) -> tuple[str, dict]:
    number, reflection = records["number"], records["reflection_id"]
    return {
        "approve": (f"/admin/reflections/{reflection}/approve", {}),
        "hide": (f"/admin/reflections/{reflection}/hide", {}),
        "delete": (f"/admin/reflections/{reflection}/delete", {}),
        "revoke": (
            f"/admin/certificates/{number}/revoke",
            {"reason": "Issued in error", "confirm": "y"},
        ),
        "reissue": (
            f"/admin/certificates/{number}/reissue",
            {"full_name": "Kim Lee-Park", "email": "kim@example.org", "confirm": "y"},
        ),
        "resend": (f"/admin/certificates/{number}/resend", {"key": "k" * 22}),
        "logout": ("/admin/logout", {}),
    }[name]


@pytest.mark.parametrize(
    "action", ["approve", "hide", "delete", "revoke", "reissue", "resend", "logout"]
)
def test_every_admin_action_needs_the_csrf_token(synced, records, action):
    client = admin_client(synced)
    address, data = action_without_token(action, records)
    before = admin_records()

    response = post_action(client, address, token=None, **data)

    assert response.status_code == 400
    assert admin_records() == before
    assert is_signed_in(client)


@pytest.mark.parametrize("action", ["approve", "revoke"])
def test_a_csrf_token_from_another_browser_is_refused(synced, records, action):
    client = admin_client(synced)
    admin_token(client)
    other_token = csrf_token_in(synced.test_client().get("/admin/login").get_data(as_text=True))
    address, data = action_without_token(action, records)
    before = admin_records()

    response = post_action(client, address, token=other_token, **data)

    assert response.status_code == 400
    assert admin_records() == before


def test_with_the_token_the_same_actions_go_through(synced, records):
    """The control for the two tests above: the actions work when the token is there."""
    client = admin_client(synced)
    approve_address, _ = action_without_token("approve", records)
    revoke_address, revoke_form = action_without_token("revoke", records)

    approve = post_action(client, approve_address)
    revoke = post_action(client, revoke_address, **revoke_form)

    assert approve.status_code == 303 and revoke.status_code == 303
    db.session.expire_all()
    assert [r.status for r in rows_of(Reflection)] == [APPROVED]
    assert [c.status for c in rows_of(Certificate)] == [REVOKED]


def test_create_admin_stores_a_scrypt_hash_never_the_password(app, monkeypatch):
    """The other tests hash with few rounds to save time; the real setting is scrypt."""
    monkeypatch.undo()
    user = create_admin("Lee@Compassion.test", ADMIN_PASSWORD)

    assert user.email == "lee@compassion.test"
    assert user.password_hash.startswith("scrypt:")
    assert ADMIN_PASSWORD not in user.password_hash
    assert user.failed_sign_ins == 0 and user.locked_until is None
