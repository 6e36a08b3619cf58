"""The sponsor's credential key (Ed25519), which signs every Open Badge credential and the status
lists, and the earlier keys its DID document keeps publishing so older credentials still verify.

Production: CEENGINE_CREDENTIAL_KEY is the sponsor's PEM private key (`openssl genpkey -algorithm
ed25519`), CEENGINE_CREDENTIAL_PREVIOUS_KEYS the earlier keys' PEM files (public or private),
separated by ":". Development: `ceengine certificates init-credential-key` writes a key under
instance/credential/ (made on first use otherwise) and moves an existing one to previous/.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

_EXTENSION_KEY = "ceengine.credential_keys"
_lock = threading.Lock()
DEVELOPMENT_MARK = b"# ceengine development credential key: refused when CEENGINE_ENV=production\n"


class CredentialKeyError(RuntimeError):
    """No usable credential key: certificates cannot be issued."""


@dataclass(frozen=True)
class CredentialKeys:
    """The key that signs now, and every key the DID document publishes (newest first)."""

    signing: Ed25519PrivateKey
    published: tuple[Ed25519PublicKey, ...]
    development: bool


def development_folder(app: Flask) -> Path:
    """Where `certificates init-credential-key` keeps a development key."""
    return Path(app.instance_path) / "credential"


def write_development_key(folder: Path) -> tuple[Path, Path | None]:
    """A new development key in `folder`; an existing one moves to previous/ (still published)."""
    folder.mkdir(parents=True, exist_ok=True)
    path, moved = folder / "credential-key.pem", None
    if path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        moved = folder / "previous" / f"credential-key-{stamp}.pem"
        moved.parent.mkdir(exist_ok=True)
        path.rename(moved)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(DEVELOPMENT_MARK + pem)
    path.chmod(0o600)
    return path, moved


def _public_key(data: bytes, path: Path) -> Ed25519PublicKey:
    if b"PRIVATE KEY" in data:
        return _private_key(data, path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise CredentialKeyError(f"{path} is not an Ed25519 key")
    return key


def _private_key(data: bytes, path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialKeyError(
            f"{path} is not an Ed25519 key: make one with `openssl genpkey -algorithm ed25519`"
        )
    return key


def _load(app: Flask) -> CredentialKeys:
    config, folder = app.config, development_folder(app)
    path = Path(config.get("CREDENTIAL_KEY") or folder / "credential-key.pem")
    if not path.exists() and not config.get("CREDENTIAL_KEY") and not config["PRODUCTION"]:
        app.logger.warning("No credential key configured: creating a development key in %s", folder)
        write_development_key(folder)
    if not path.exists():
        raise CredentialKeyError(
            f"The credential key {path} does not exist. Run `ceengine certificates "
            "init-credential-key` or set CEENGINE_CREDENTIAL_KEY."
        )
    data = path.read_bytes()
    signing = _private_key(data, path)
    previous = [Path(p) for p in (config.get("CREDENTIAL_PREVIOUS_KEYS") or "").split(":") if p]
    if not config.get("CREDENTIAL_KEY"):
        previous += sorted((folder / "previous").glob("*.pem"), reverse=True)
    published = [signing.public_key()]
    for old in previous:
        key = _public_key(old.read_bytes(), old)
        if all(key != known for known in published):
            published.append(key)
    return CredentialKeys(signing, tuple(published), data.startswith(DEVELOPMENT_MARK))


def credential_keys(app: Flask | None = None) -> CredentialKeys:
    """The app's credential keys, loaded on first use and then kept in memory."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    keys = app.extensions.get(_EXTENSION_KEY)
    if keys is None:
        with _lock:
            keys = app.extensions.get(_EXTENSION_KEY)
            if keys is None:
                try:
                    keys = _load(app)
                except (OSError, ValueError, TypeError) as error:
                    raise CredentialKeyError(
                        f"The credential key could not be loaded: {error}"
                    ) from error
                app.extensions[_EXTENSION_KEY] = keys
    return keys


def check_production_credential_key(app: Flask) -> None:
    """In production, refuse to start with a development credential key, signing or still
    published (anyone with a copy of it could sign credentials that verifiers accept)."""
    for old in (p for p in app.config.get("CREDENTIAL_PREVIOUS_KEYS", "").split(":") if p):
        if Path(old).read_bytes().startswith(DEVELOPMENT_MARK):
            raise RuntimeError(
                f"CEENGINE_ENV=production refuses to publish the development credential key "
                f"{old}: remove it from CEENGINE_CREDENTIAL_PREVIOUS_KEYS."
            )
    if credential_keys(app).development:
        raise RuntimeError(
            "CEENGINE_ENV=production refuses the development credential key: set "
            "CEENGINE_CREDENTIAL_KEY to the sponsor's own Ed25519 key "
            "(openssl genpkey -algorithm ed25519 -out credential-key.pem)."
        )
