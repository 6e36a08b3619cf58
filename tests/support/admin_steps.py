"""Steps shared by the admin tests: quick password hashes, signing in, posting actions."""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

import pyotp
from werkzeug.security import generate_password_hash

from ceengine.admin.accounts import admin_by_email, create_admin
from ceengine.admin.two_factor import new_secret, secret_of, turn_on
from ceengine.columns import utcnow
from ceengine.extensions import db
from tests.support.html import csrf_token_in

ADMIN_EMAIL = "dana@compassion.test"
ADMIN_PASSWORD = "a long admin passphrase"  # at least 12 characters
NOT_RIGHT = "The email or password is not right. Please try again."


def quick_password_hashes(monkeypatch) -> None:
    """Hash new admin passwords with few rounds: scrypt takes ~0.2 s a hash on a test machine.

    Checking a password reads the method from the stored hash, so sign-in works unchanged.
    """
    monkeypatch.setattr(
        "ceengine.admin.accounts.generate_password_hash",
        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )


# --- signing in and acting --------------------------------------------------------------


def sign_in(
    client, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, next_page: str | None = None
):
    """Open the sign-in page and submit it, as a browser does; return the POST's response."""
    address = "/admin/login" + (f"?next={quote(next_page, safe='')}" if next_page else "")
    token = csrf_token_in(client.get(address).get_data(as_text=True))
    return client.post(address, data={"csrf_token": token, "email": email, "password": password})


def ensure_admin(
    email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, role: str = "staff"
) -> None:
    """The admin account, created once per test (hashing a password is slow on purpose).

    Staff by default: staff may do everything but manage accounts, and sign in with a
    password alone. An owner gets two-factor sign-in set up (as the console requires).
    """
    if admin_by_email(email) is None:
        create_admin(email, password, role)
        if role == "owner":
            turn_on_two_factor(email)


def turn_on_two_factor(email: str) -> list[str]:
    """Set up an admin's two-factor sign-in as the set-up page does; the recovery codes."""
    user = admin_by_email(email)
    secret = new_secret()
    codes = turn_on(user, secret, pyotp.TOTP(secret).now())
    assert codes is not None
    db.session.commit()
    return codes


def next_code(email: str) -> str:
    """A code the authenticator app shows, for a time step not used yet (the next one when
    this one was just used: the console accepts one step of clock drift)."""
    db.session.expire_all()
    user = admin_by_email(email)
    totp = pyotp.TOTP(secret_of(user))
    step = max(totp.timecode(utcnow()), (user.totp_last_step or 0) + 1)
    return totp.generate_otp(step)


def give_code(client, code: str):
    """Submit the sign-in's second step (the code page), as a browser does."""
    token = csrf_token_in(client.get("/admin/login/code").get_data(as_text=True))
    return client.post("/admin/login/code", data={"csrf_token": token, "code": code})


def admin_client(
    app, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, role: str = "staff"
):
    """A new browser, signed in to the admin console (as staff unless `role` says; an owner
    gives a code from the authenticator app too)."""
    ensure_admin(email, password, role)
    client = app.test_client()
    response = sign_in(client, email, password)
    if response.status_code == 303 and response.headers["Location"] == "/admin/login/code":
        response = give_code(client, next_code(email))
    assert response.status_code == 303, response.status_code
    return client


def admin_token(client, page: str = "/admin") -> str:
    """The CSRF token an admin page gives this (signed-in) browser."""
    response = client.get(page)
    assert response.status_code == 200, response.status_code
    return csrf_token_in(response.get_data(as_text=True))


def post_action(client, address: str, token: str | None = "fetch", **data):
    """POST an admin action with this browser's CSRF token (token=None: without one)."""
    if token == "fetch":
        token = admin_token(client)
    if token is not None:
        data["csrf_token"] = token
    return client.post(address, data=data)


def is_signed_in(client) -> bool:
    """Whether this browser gets the admin console (rather than the sign-in redirect)."""
    return client.get("/admin").status_code == 200


def fresh_session() -> None:
    """End the test's transaction, as a new request on a real server would start one."""
    db.session.rollback()


# --- walking the admin's addresses ---------------------------------------------------------


def address_of(rule, values: dict[str, str]) -> str:
    """The rule's address with each variable filled in from `values` (else "1" for an int,
    "x" otherwise; the first choice of an any())."""

    def fill(match: re.Match) -> str:
        converter, arguments, name = match.group(1), match.group(2), match.group(3)
        if converter == "any":
            return arguments.split(",")[0].strip().strip("'\"")
        return values.get(name, "1" if converter == "int" else "x")

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", fill, rule.rule)


def admin_rules_and_methods(app) -> list[tuple]:
    """Every (rule, method) of the admin blueprint, HEAD and OPTIONS aside, in a stable order."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))
