"""Signed links: a certificate's own page and download, and the "My certificates" sign-in.

Each purpose has its own salt, so a token made for one can never be used for another.
"""

from __future__ import annotations

import re

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CERTIFICATE_SALT = "certificate-link"
SIGN_IN_SALT = "my-certificates-sign-in"
SIGN_IN_MAX_AGE = 24 * 3600
# itsdangerous skips characters outside base64 and accepts padding; a link is one exact string.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+")


class LinkExpired(Exception):
    """A sign-in link that was genuine but is too old."""


def certificate_token(number: str) -> str:
    """The token in a certificate's page and download addresses (it does not expire)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CERTIFICATE_SALT).dumps(number)


def number_from_token(token: str) -> str | None:
    """The certificate number a genuine token stands for; None for a guessed or altered one."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    try:
        number = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                   salt=CERTIFICATE_SALT).loads(token)
    except BadSignature:
        return None
    # Only the exact token we made: base64's spare bits would let a twin string through.
    if not isinstance(number, str) or certificate_token(number) != token:
        return None
    return number


def sign_in_token(email_key: str) -> str:
    """A timed token that opens "My certificates" for one email address."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=SIGN_IN_SALT).dumps(email_key)


def email_from_sign_in_token(token: str) -> str | None:
    """The address a sign-in token was made for; raises LinkExpired when it is too old."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGN_IN_SALT)
    try:
        email = serializer.loads(token, max_age=SIGN_IN_MAX_AGE)
    except SignatureExpired as expired:
        raise LinkExpired from expired
    except BadSignature:
        return None
    return email if isinstance(email, str) else None
