"""Steps shared by the admin tests: quick password hashes, signing in, posting actions."""

from __future__ import annotations

import functools
from urllib.parse import quote

from werkzeug.security import generate_password_hash

from ceengine.admin.accounts import admin_by_email, create_admin
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


def ensure_admin(email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """The admin account, created once per test (hashing a password is slow on purpose)."""
    if admin_by_email(email) is None:
        create_admin(email, password)


def admin_client(app, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
    """A new browser, signed in to the admin console."""
    ensure_admin(email, password)
    client = app.test_client()
    response = sign_in(client, email, password)
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
