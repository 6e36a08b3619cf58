"""Signed links: a certificate's own page and download, and the "My certificates" sign-in.

Each purpose has its own salt, so a token made for one can never be used for another.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CERTIFICATE_SALT = "certificate-link"
SIGN_IN_SALT = "my-certificates-sign-in"
SIGN_IN_MAX_AGE = 24 * 3600
# itsdangerous skips characters outside base64 and accepts padding; a link is one exact string.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+")


class LinkExpired(Exception):
    """A sign-in link that was genuine but is too old."""


@dataclass(frozen=True)
class SignInLink:
    """What a genuine sign-in link carries: the address, and the link's own random id, which
    is recorded when the link is used so that it signs in once."""

    email: str
    link_id: str


def certificate_token(number: str) -> str:
    """The token in a certificate's page and download addresses (it does not expire)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CERTIFICATE_SALT).dumps(number)


def number_from_token(token: str) -> str | None:
    """The certificate number a genuine token stands for; None for a guessed or altered one."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    try:
        number = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CERTIFICATE_SALT).loads(
            token
        )
    except BadSignature:
        return None
    # Only the exact token we made: base64's spare bits would let a twin string through.
    if not isinstance(number, str) or certificate_token(number) != token:
        return None
    return number


def sign_in_token(email_key: str) -> str:
    """A timed, single-use token that opens "My certificates" for one email address."""
    link = {"email": email_key, "link": secrets.token_urlsafe(24)}
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGN_IN_SALT).dumps(link)


def link_from_sign_in_token(token: str) -> SignInLink | None:
    """What a genuine sign-in token carries (None for a guessed or altered one); raises
    LinkExpired when it is too old."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGN_IN_SALT)
    try:
        payload = serializer.loads(token, max_age=SIGN_IN_MAX_AGE)
    except SignatureExpired as expired:
        raise LinkExpired from expired
    except BadSignature:
        return None
    # Links from before single use carried the bare address: they are no longer accepted.
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("email"), str)
        and isinstance(payload.get("link"), str)
    ):
        return None
    return SignInLink(payload["email"], payload["link"])
