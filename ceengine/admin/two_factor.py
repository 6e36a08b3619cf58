"""Two-factor sign-in: a time-based one-time password (TOTP, RFC 6238, from an authenticator
app) and ten single-use recovery codes.

The TOTP secret is stored encrypted (Fernet) with a key derived from
`CEENGINE_TWO_FACTOR_KEY`, or from `CEENGINE_SECRET_KEY` when that is not set: a copy of the
database alone does not give the codes. Changing the key makes the stored secrets unreadable;
each admin then needs `ceengine admin reset-2fa EMAIL`. Recovery codes are stored as SHA-256
hashes (they are long random strings, so a plain hash is enough).
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from ceengine.admin.models import AdminRecoveryCode, AdminUser
from ceengine.columns import utcnow
from ceengine.extensions import db

RECOVERY_CODES = 10
ISSUER = "ceengine"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _fernet() -> Fernet:
    config = current_app.config
    material = (config.get("TWO_FACTOR_KEY") or config["SECRET_KEY"]).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ceengine admin totp secret"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _open(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:  # the key changed: the admin needs `ceengine admin reset-2fa`
        return None


def secret_of(user: AdminUser) -> str | None:
    """The admin's TOTP secret in clear (None when unset or sealed with another key)."""
    return _open(user.totp_secret) if user.totp_secret else None


def is_on(user: AdminUser) -> bool:
    """Whether this admin signs in with a second factor."""
    return user.two_factor_since is not None


def new_secret() -> str:
    """A fresh TOTP secret for an admin setting up (kept, sealed, in their signed session
    until a first code confirms it: showing the set-up page writes nothing)."""
    return pyotp.random_base32()


def seal(secret: str) -> str:
    """The secret encrypted with the two-factor key (for the database or a session)."""
    return _seal(secret)


def unseal(sealed: object) -> str | None:
    """A sealed secret in clear; None when it is not one (or sealed with another key)."""
    return _open(sealed) if isinstance(sealed, str) and sealed else None


def provisioning_uri(user: AdminUser, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    name = current_app.config.get("SPONSOR_NAME") or ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=name)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an SVG element (no XML declaration), an image named for
    screen readers (with a light border: the quiet zone scanners need)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, light="#fff"
    )
    return out.getvalue().decode().replace("<svg ", '<svg role="img" aria-label="QR code" ', 1)


def _step_accepted(
    user: AdminUser, code: str, now: datetime, secret: str | None = None
) -> int | None:
    """The time step whose code `code` is (this step, or one either side for clock drift),
    if it is later than the last accepted one: a code is never accepted twice. `secret` is
    the one being set up; else the admin's stored one."""
    if secret is None:
        secret = _open(user.totp_secret) if user.totp_secret else None
    if secret is None or not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return None
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def normal_code(code: str) -> str:
    """A typed code without spaces and dashes, lowercased."""
    return "".join(c for c in code.lower() if c.isalnum())


def _new_recovery_codes(user: AdminUser) -> list[str]:
    db.session.execute(sa.delete(AdminRecoveryCode).where(AdminRecoveryCode.admin_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(AdminRecoveryCode(admin_id=user.id, code_hash=_hash_code(raw)))
    return codes


def turn_on(user: AdminUser, secret: str, code: str) -> list[str] | None:
    """Confirm the set-up of `secret` with a code from the app: it is stored (encrypted),
    two-factor sign-in is on, and the ten recovery codes are returned (shown once). None
    when the code is not right. The caller commits (with its audit event)."""
    if is_on(user):
        return None
    user.totp_last_step = None  # a secret set up before has nothing to do with this one
    step = _step_accepted(user, code.strip().replace(" ", ""), utcnow(), secret)
    if step is None:
        return None
    user.totp_secret = _seal(secret)
    user.totp_last_step, user.two_factor_since = step, utcnow()
    return _new_recovery_codes(user)


def _current_code(user: AdminUser, code: str) -> bool:
    """Whether `code` is a right app code not used before (then used up, in this
    transaction). A recovery code does not count: these steps ask for the app itself."""
    step = _step_accepted(user, code.strip().replace(" ", ""), utcnow())
    if step is None:
        return False
    updated = db.session.execute(
        sa.update(AdminUser)
        .where(
            AdminUser.id == user.id,
            sa.or_(AdminUser.totp_last_step.is_(None), AdminUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return updated.rowcount == 1


def renew_recovery_codes(user: AdminUser, code: str) -> list[str] | None:
    """New recovery codes for an admin with two-factor sign-in, after a right code from the
    app: the old ones stop working. None when the code is not right. The caller commits."""
    if not is_on(user) or not _current_code(user, code):
        return None
    return _new_recovery_codes(user)


def turn_off(user: AdminUser, code: str) -> bool:
    """Turn the admin's own two-factor sign-in off after a right code from the app (secret
    and recovery codes go). False when the code is not right. The caller checks that the
    role allows it, and commits."""
    if not is_on(user) or not _current_code(user, code):
        return False
    clear(user)
    return True


def clear(user: AdminUser) -> None:
    """Forget the admin's secret and recovery codes (in the caller's transaction)."""
    user.totp_secret, user.totp_last_step, user.two_factor_since = None, None, None
    db.session.execute(sa.delete(AdminRecoveryCode).where(AdminRecoveryCode.admin_id == user.id))


def check_code(user: AdminUser, code: str) -> str | None:
    """Check a sign-in code: "totp" for a right app code, "recovery" for an unused recovery
    code (now used up), None otherwise. The caller commits."""
    typed = code.strip().replace(" ", "")
    if _current_code(user, typed):  # only a later step: a code sent twice is accepted once
        return "totp"
    if len(normal_code(typed)) != 10:
        return None
    used = db.session.execute(
        sa.update(AdminRecoveryCode)
        .where(
            AdminRecoveryCode.admin_id == user.id,
            AdminRecoveryCode.code_hash == _hash_code(typed),
            AdminRecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return "recovery" if used.rowcount == 1 else None


def recovery_codes_left(user: AdminUser) -> int:
    """How many unused recovery codes the admin has."""
    return db.session.scalar(
        sa.select(sa.func.count(AdminRecoveryCode.id)).where(
            AdminRecoveryCode.admin_id == user.id, AdminRecoveryCode.used_at.is_(None)
        )
    )
