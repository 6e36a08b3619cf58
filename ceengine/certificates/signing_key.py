"""The sponsor's signing identity: found through configuration, loaded once per process."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from ceengine.certificates.signing import (
    SigningIdentity,
    create_development_chain,
    load_identity,
    load_pkcs12_identity,
)

_EXTENSION_KEY = "ceengine.signing_identity"
_lock = threading.Lock()
DEVELOPMENT_MARK = "(development)"


class SigningNotConfigured(RuntimeError):
    """No usable signing key: certificates cannot be issued."""


def development_folder(app: Flask) -> Path:
    """Where `certificates init-signing` puts a development key and chain."""
    return Path(app.instance_path) / "signing"


def _password(app: Flask) -> bytes | None:
    value = app.config.get("SIGNING_KEY_PASSWORD")
    return value.encode() if value else None


def _load(app: Flask) -> SigningIdentity:
    config = app.config
    if config.get("SIGNING_PKCS12"):
        return load_pkcs12_identity(Path(config["SIGNING_PKCS12"]).read_bytes(), _password(app))
    folder = development_folder(app)
    key = Path(config.get("SIGNING_KEY") or folder / "signing-key.pem")
    cert = Path(config.get("SIGNING_CERT") or folder / "signing-cert.pem")
    chain = Path(config.get("SIGNING_CHAIN") or folder / "signing-chain.pem")
    if not key.exists() and not config.get("SIGNING_KEY") and not config["PRODUCTION"]:
        # A fresh development checkout signs with a throwaway chain made on first use.
        app.logger.warning("No signing key configured: creating a development chain in %s", folder)
        create_development_chain(folder, config["SPONSOR_NAME"])
    for path in (key, cert):
        if not path.exists():
            raise SigningNotConfigured(
                f"The signing file {path} does not exist. Run "
                "`ceengine certificates init-signing` or set "
                "CEENGINE_SIGNING_KEY and CEENGINE_SIGNING_CERT."
            )
    chain_pem = chain.read_bytes() if chain.exists() else b""
    return load_identity(key.read_bytes(), cert.read_bytes(), chain_pem, _password(app))


def signing_identity(app: Flask | None = None) -> SigningIdentity:
    """The app's signing identity, loaded on first use and then kept in memory."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    identity = app.extensions.get(_EXTENSION_KEY)
    if identity is None:
        with _lock:
            identity = app.extensions.get(_EXTENSION_KEY)
            if identity is None:
                try:
                    identity = _load(app)
                except (OSError, ValueError) as error:
                    raise SigningNotConfigured(
                        f"The signing key could not be loaded: {error}"
                    ) from error
                # asn1crypto fills a name's parsed form in place on first read: read it once
                # here, under the lock, or threads signing at once can see it half built.
                identity.signer.subject_name  # noqa: B018
                app.extensions[_EXTENSION_KEY] = identity
    return identity


def is_development(identity: SigningIdentity) -> bool:
    """Whether this is a throwaway development certificate (refused in production)."""
    return DEVELOPMENT_MARK in identity.signer.signing_cert.subject.human_friendly


def check_production_signing(app: Flask) -> None:
    """In production, refuse to start without the sponsor's own signing key."""
    identity = signing_identity(app)
    if is_development(identity):
        raise RuntimeError(
            "CEENGINE_ENV=production refuses the development signing "
            "certificate: set CEENGINE_SIGNING_KEY/CERT/CHAIN or "
            "CEENGINE_SIGNING_PKCS12 to the sponsor's own."
        )
