"""Open Badge credentials: the sponsor's DID and DID document, signing a credential, the status
lists anyone fetches to learn whether a credential still stands, and checking a credential that
someone hands us."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app

from ceengine.certificates.badge import CE_CONTEXT_FILE, CREDENTIAL_TYPES, Issuer, shape_problem
from ceengine.certificates.credential_key import credential_keys
from ceengine.certificates.did import did_document, did_web, key_id
from ceengine.certificates.linked_data import CONTEXTS, DocumentLoader, document_loader
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.proofs import ProofCheck, add_proof, check_proof
from ceengine.certificates.status_list import (
    LIST_SIZE,
    global_index,
    status_list_credential,
)
from ceengine.columns import utcnow
from ceengine.extensions import db
from ceengine.links import absolute_url, base_url

_LOADER_KEY = "ceengine.credential_loader"
_LISTS_KEY = "ceengine.status_lists"
_lists_lock = threading.Lock()
_CANDIDATES = 8  # random slots tried at once for a new credential's status bit


def sponsor_did() -> str:
    """The sponsor's did:web, from CEENGINE_BASE_URL."""
    return did_web(base_url())


def sponsor_issuer() -> Issuer:
    """The sponsor as the issuer of every credential."""
    config = current_app.config
    return Issuer(sponsor_did(), config["SPONSOR_NAME"], base_url(), config["SPONSOR_CONTACT"])


def extension_context_url() -> str:
    """Where the sponsor serves our extension context (credentials name it in `@context`)."""
    return absolute_url("certificates.credential_context")


def extension_context() -> bytes:
    """Our extension context document, as served."""
    return (CONTEXTS / CE_CONTEXT_FILE).read_bytes()


def loader() -> DocumentLoader:
    """The offline document loader: the bundled contexts and our extension context."""
    app = current_app
    loaded = app.extensions.get(_LOADER_KEY)
    if loaded is None:
        loaded = document_loader({extension_context_url(): json.loads(extension_context())})
        app.extensions[_LOADER_KEY] = loaded
    return loaded


def published_did_document() -> dict:
    """The DID document served at /.well-known/did.json: every key, the current one first."""
    return did_document(sponsor_did(), credential_keys().published)


def sponsor_key(method: str) -> Ed25519PublicKey | None:
    """The published key a verification method names, or None when it is not the sponsor's."""
    did = sponsor_did()
    return next((k for k in credential_keys().published if key_id(did, k) == method), None)


def sign(document: dict) -> dict:
    """The document with the sponsor's eddsa-rdfc-2022 proof, made now with the current key."""
    key = credential_keys().signing
    method = key_id(sponsor_did(), key.public_key())
    return add_proof(document, key, method, utcnow(), loader())


def email_salt() -> str:
    """A fresh salt for the learner's hashed email address."""
    return secrets.token_hex(8)


def status_list_url(list_number: int) -> str:
    """The address of status list `list_number` (a signed BitstringStatusListCredential)."""
    return absolute_url("certificates.status_list_document", list_number=list_number)


def new_status_index() -> int:
    """A free global status index for a new credential, at random within the current list.

    The current list is chosen by the newest certificate's id, so each list of 131,072 bits
    holds at most half as many credentials: a random slot is then free at least half the time,
    and of eight tried at once one is free but for one time in 256. Two issues racing for the
    same slot meet the unique constraint; the issue's retry draws again.
    """
    newest = db.session.scalar(sa.select(sa.func.max(Certificate.id))) or 0
    list_number = newest // (LIST_SIZE // 2) + 1
    rng = secrets.SystemRandom()
    candidates = [global_index(list_number, s) for s in rng.sample(range(LIST_SIZE), _CANDIDATES)]
    taken = set(
        db.session.scalars(
            sa.select(Certificate.status_index).where(Certificate.status_index.in_(candidates))
        )
    )
    return next((c for c in candidates if c not in taken), candidates[0])


def status_lists_in_use() -> int:
    """How many status lists exist: the last one holding an issued credential's bit."""
    highest = db.session.scalar(sa.select(sa.func.max(Certificate.status_index)))
    return 0 if highest is None else highest // LIST_SIZE + 1


_STORED_CREDENTIAL = sa.select(
    Certificate.number, Certificate.status, Certificate.credential
).where(Certificate.number == sa.bindparam("number"))


def stored_credential(number: str) -> sa.Row | None:
    """(number, status, credential) of a certificate: the download's one light query."""
    return db.session.execute(_STORED_CREDENTIAL, {"number": number}).first()


def _set_slots(list_number: int) -> frozenset[int]:
    first = global_index(list_number, 0)
    rows = db.session.scalars(
        sa.select(Certificate.status_index).where(
            Certificate.status != VALID,
            Certificate.status_index >= first,
            Certificate.status_index < first + LIST_SIZE,
        )
    )
    return frozenset(index - first for index in rows)


@dataclass
class _SignedList:
    slots: frozenset[int]
    body: bytes = field(repr=False)


def status_list(list_number: int) -> bytes:
    """Status list `list_number` as served: a bit set for each credential that no longer stands.

    Read from the certificates' own status, so a revocation, a refund or a reissue shows the
    moment it commits; signed again only when the set bits changed since this process last
    served the list.
    """
    slots = _set_slots(list_number)
    lists = current_app.extensions.setdefault(_LISTS_KEY, {})
    signed = lists.get(list_number)
    if signed is None or signed.slots != slots:
        with _lists_lock:
            unsigned = status_list_credential(
                status_list_url(list_number), sponsor_did(), slots, utcnow()
            )
            body = json.dumps(sign(unsigned), indent=2).encode()
            signed = lists[list_number] = _SignedList(slots, body)
    return signed.body


@dataclass(frozen=True)
class Finding:
    """One thing checked about a credential, in plain words."""

    label: str
    ok: bool
    words: str


@dataclass(frozen=True)
class CredentialCheck:
    """What checking a credential found: each finding, and the certificate it names."""

    findings: tuple[Finding, ...]
    certificate: Certificate | None = None

    @property
    def ok(self) -> bool:
        """Whether every check passed: genuine, ours, still standing, as we issued it."""
        return bool(self.findings) and all(f.ok for f in self.findings)

    @property
    def problem(self) -> str | None:
        """The first failed check's words, or None."""
        return next((f.words for f in self.findings if not f.ok), None)


def read_json(data: bytes) -> object | None:
    """An uploaded file as JSON, or None when it is not JSON (a BOM is allowed)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _issuer_id(document: dict) -> object:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _number_of(document: dict) -> str | None:
    subject = document.get("credentialSubject")
    number = subject.get("certificateNumber") if isinstance(subject, dict) else None
    return number if isinstance(number, str) else None


def _skeleton(value: object) -> object:
    """The document's shape: its keys and list lengths, each other value by its JSON type."""
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return type(value).__name__


def _shaped_as(certificate: Certificate | None) -> Callable[[dict], str | None]:
    """Only a document shaped exactly as the credential we stored for its number is
    canonicalized: what it costs is then what signing ours cost, whatever an upload holds."""
    stored = (
        _skeleton(json.loads(certificate.credential))
        if certificate is not None and certificate.credential
        else None
    )

    def admissible(document: dict) -> str | None:
        if stored is None or _skeleton(document) != stored:
            return "It is not shaped as the credential we issued for that certificate."
        return None

    return admissible


def _proof_finding(document: dict, certificate: Certificate | None) -> Finding:
    shape = shape_problem(document, extension_context_url())
    if shape is not None:
        return Finding("Proof", False, f"The signature was not checked. {shape}")
    proof: ProofCheck = check_proof(document, sponsor_key, loader(), _shaped_as(certificate))
    if proof.ok:
        return Finding("Proof", True, "The signature is valid: the credential is unchanged.")
    return Finding("Proof", False, f"The signature is not valid. {proof.problem}")


def _status_finding(certificate: Certificate) -> Finding:
    if certificate.status == VALID:
        return Finding("Status", True, "Active: the sponsor has not revoked it.")
    if certificate.status == "revoked":
        return Finding("Status", False, f"Revoked: {certificate.revoked_reason}.")
    return Finding("Status", False, "Superseded: a reissued certificate replaces it.")


def _issuer_finding(issuer: object) -> Finding:
    did, name = sponsor_did(), current_app.config["SPONSOR_NAME"]
    if issuer == did:
        return Finding("Issuer", True, f"Issued by {name} ({did}).")
    return Finding("Issuer", False, f"It names another issuer ({str(issuer)[:80]}), not {name}.")


def check_credential(document: object) -> CredentialCheck:
    """Is this an Open Badge credential we issued, signed by us, unchanged, and still standing?"""
    types = document.get("type") if isinstance(document, dict) else None
    if not isinstance(types, list) or not set(CREDENTIAL_TYPES) <= {
        t for t in types if isinstance(t, str)
    }:
        return CredentialCheck(
            (Finding("Credential", False, "That is not an Open Badge credential (JSON)."),)
        )
    number = _number_of(document)
    certificate = (
        db.session.scalar(sa.select(Certificate).where(Certificate.number == number))
        if number
        else None
    )
    findings = [_proof_finding(document, certificate)]
    findings.append(_issuer_finding(_issuer_id(document)))
    if certificate is None:
        findings.append(Finding("Record", False, "No certificate we issued has this credential."))
        return CredentialCheck(tuple(findings))
    findings.append(_status_finding(certificate))
    same = certificate.credential and json.loads(certificate.credential) == document
    findings.append(
        Finding("Record", True, f"It matches our record of certificate {certificate.number}.")
        if same
        else Finding(
            "Record",
            False,
            f"It does not match our record of certificate {certificate.number}: "
            "something in it was changed.",
        )
    )
    return CredentialCheck(tuple(findings), certificate)
