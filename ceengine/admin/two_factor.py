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


def pending_secret(user: AdminUser) -> str:
    """The secret an admin is setting up (made and stored, encrypted, on first call)."""
    secret = _open(user.totp_secret) if user.totp_secret and not is_on(user) else None
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_last_step = _seal(secret), None
        db.session.commit()
    return secret


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


def _step_accepted(user: AdminUser, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is (this step, or one either side for clock drift),
    if it is later than the last accepted one: a code is never accepted twice."""
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


def turn_on(user: AdminUser, code: str) -> list[str] | None:
    """Confirm the set-up with a code from the app: two-factor sign-in is on; returns the
    ten recovery codes (shown once). None when the code is not right. The caller commits
    (with its audit event)."""
    if is_on(user):
        return None
    step = _step_accepted(user, code.strip().replace(" ", ""), utcnow())
    if step is None:
        return None
    user.totp_last_step, user.two_factor_since = step, utcnow()
    return _new_recovery_codes(user)


def check_code(user: AdminUser, code: str) -> str | None:
    """Check a sign-in code: "totp" for a right app code, "recovery" for an unused recovery
    code (now used up), None otherwise. The caller commits."""
    typed = code.strip().replace(" ", "")
    step = _step_accepted(user, typed, utcnow())
    if step is not None:
        # Only a later step: a code sent twice in parallel is accepted once.
        updated = db.session.execute(
            sa.update(AdminUser)
            .where(
                AdminUser.id == user.id,
                sa.or_(AdminUser.totp_last_step.is_(None), AdminUser.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        return "totp" if updated.rowcount == 1 else None
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
