"""The sponsor's `did:web` identifier and its DID document, which publishes the keys that sign
credentials (the current one and every earlier one, so older credentials keep verifying).

did:web maps https://ce.example.org to did:web:ce.example.org, whose document is at
/.well-known/did.json; https://example.org/ce to did:web:example.org:ce, at /ce/did.json.
Pure code: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ceengine.certificates.proofs import public_multibase

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(base_url: str) -> str:
    """The did:web identifier of the site at `base_url` (a port is written %3A)."""
    parts = urlsplit(base_url)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}%3A{parts.port}"
    path = [quote(p, safe="") for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def did_document_url(did: str) -> str:
    """Where a did:web resolver fetches the DID document (the did:web method's rule)."""
    host, *path = did.removeprefix("did:web:").split(":")
    host = host.replace("%3A", ":")
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(path)}/did.json"


def key_id(did: str, key: Ed25519PublicKey) -> str:
    """The verification method that names `key` in the DID document."""
    return f"{did}#{public_multibase(key)}"


def verification_method(did: str, key: Ed25519PublicKey) -> dict:
    """One key as a Multikey verification method controlled by the DID."""
    return {
        "id": key_id(did, key),
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": public_multibase(key),
    }


def did_document(did: str, keys: Sequence[Ed25519PublicKey]) -> dict:
    """The DID document: every key, newest first, allowed to assert credentials."""
    methods = [verification_method(did, key) for key in keys]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
