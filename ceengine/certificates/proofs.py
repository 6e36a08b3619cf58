"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C "Data Integrity EdDSA
Cryptosuites v1.0"), and Ed25519 public keys written as Multikey `publicKeyMultibase`.

Signing: canonicalize (RDFC-1.0) the proof options, with the document's `@context`, and the
document without its proof; sign SHA-256(options) + SHA-256(document) with Ed25519; the
signature is `proofValue`, multibase base58btc ("z…"). Pure code: no Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ceengine.certificates.linked_data import DocumentLoader, UnknownDocument, canonical_nquads

PROOF_TYPE, CRYPTOSUITE, PURPOSE = "DataIntegrityProof", "eddsa-rdfc-2022", "assertionMethod"
_ED25519_PUB = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key


def public_multibase(key: Ed25519PublicKey) -> str:
    """The key as a Multikey `publicKeyMultibase`: "z6Mk…"."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB + raw).decode("ascii")


def public_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a `publicKeyMultibase`; ValueError when it is not one."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = base58.b58decode(value[1:])
    if len(data) != 34 or not data.startswith(_ED25519_PUB):
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def xsd_datetime(moment: datetime) -> str:
    """A moment as XML Schema dateTimeStamp in UTC, to the second: 2026-12-02T16:10:00Z (a
    naive moment is taken as UTC, as the database stores it)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(document: dict, options: dict, loader: DocumentLoader) -> bytes:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    return (
        hashlib.sha256(canonical_nquads(config, loader).encode()).digest()
        + hashlib.sha256(canonical_nquads(unsecured, loader).encode()).digest()
    )


def add_proof(
    document: dict,
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    loader: DocumentLoader,
) -> dict:
    """The document with an `eddsa-rdfc-2022` proof by `key`, named by `verification_method`."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PURPOSE,
    }
    signature = key.sign(_hash_data(document, options, loader))
    proof_value = "z" + base58.b58encode(signature).decode("ascii")
    # A list of one: Open Badges 3.0's schema wants `proof` as an array.
    return {**document, "proof": [{**options, "proofValue": proof_value}]}


@dataclass(frozen=True)
class ProofCheck:
    """What checking a document's proof found; `problem` is None when the proof holds."""

    problem: str | None
    verification_method: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the proof holds."""
        return self.problem is None


def _proof_problem(proof: object) -> str | None:
    if proof is None:
        return "It carries no proof: nothing shows who issued it or that it is unchanged."
    if not isinstance(proof, dict):
        return "It carries several proofs or a malformed one; ours carry exactly one."
    if (proof.get("type"), proof.get("cryptosuite")) != (PROOF_TYPE, CRYPTOSUITE):
        return "Its proof is not a DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite."
    if proof.get("proofPurpose") != PURPOSE:
        return "Its proof was not made for asserting a credential (proofPurpose)."
    if not isinstance(proof.get("verificationMethod"), str):
        return "Its proof names no key (verificationMethod)."
    if not isinstance(proof.get("proofValue"), str) or not proof["proofValue"].startswith("z"):
        return "Its proof has no signature (proofValue)."
    return None


def check_proof(
    document: dict,
    key_for: Callable[[str], Ed25519PublicKey | None],
    loader: DocumentLoader,
    admissible: Callable[[dict], str | None] = lambda document: None,
) -> ProofCheck:
    """Does the document's proof hold, by a key that `key_for` knows (None: a key not ours)?

    `admissible` says why a document by a known key is not worth canonicalizing (None: it
    is): canonicalizing costs what the document's shape makes it cost."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    problem = _proof_problem(proof)
    if problem is not None:
        return ProofCheck(problem)
    method = proof["verificationMethod"]
    key = key_for(method)
    if key is None:
        return ProofCheck("It was signed with a key that is not the sponsor's.", method)
    if "@context" in proof and proof["@context"] != document.get("@context"):
        return ProofCheck("Its proof was made for other JSON-LD contexts.", method)
    refused = admissible(document)
    if refused is not None:
        return ProofCheck(refused, method)
    try:
        signature = base58.b58decode(proof["proofValue"][1:])
        key.verify(signature, _hash_data(document, proof, loader))
    except UnknownDocument as error:
        return ProofCheck(f"It cannot be read offline: {error}.", method)
    except (InvalidSignature, ValueError):
        return ProofCheck(
            "Its signature does not match its contents: it was changed after it was signed.",
            method,
        )
    return ProofCheck(None, method)
