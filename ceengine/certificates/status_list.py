"""W3C Bitstring Status List: one bit per credential, set when the certificate no longer stands
(revoked, refunded, or superseded by a reissue), published as a signed credential that anyone
can fetch and check without asking which credential they hold. Pure code.

Indexes are drawn at random within a list (herd privacy: a fetch of the list says nothing of
which credential is being checked); list n holds global indexes [(n-1)·SIZE, n·SIZE).
"""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable
from datetime import datetime

from ceengine.certificates.badge import VC_CONTEXT
from ceengine.certificates.proofs import xsd_datetime

LIST_SIZE = 131_072  # bits: 16 KB, the minimum the specification sets for herd privacy
PURPOSE = "revocation"


def list_and_slot(index: int) -> tuple[int, int]:
    """The list number (from 1) and the position in it of a global status index."""
    return index // LIST_SIZE + 1, index % LIST_SIZE


def global_index(list_number: int, slot: int) -> int:
    """The global status index of a position in list `list_number`."""
    return (list_number - 1) * LIST_SIZE + slot


def encode(set_slots: Iterable[int], size: int = LIST_SIZE) -> str:
    """The `encodedList`: the bitstring (slot 0 is the first, left-most bit), GZIP-compressed,
    as multibase base64url without padding ("u…")."""
    bits = bytearray(size // 8)
    for slot in set_slots:
        bits[slot // 8] |= 0x80 >> (slot % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str, max_bytes: int = LIST_SIZE // 8) -> bytes:
    """The bitstring of an `encodedList`; ValueError when it is not one, or is larger than any
    list we publish (a small file that inflates hugely is refused without inflating it all)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("the encoded list is not multibase base64url")
    try:
        packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            bits = stream.read(max_bytes + 1)
    except (OSError, EOFError, ValueError) as error:  # not base64, not gzip, cut short
        raise ValueError(f"the encoded list cannot be read: {error}") from error
    if len(bits) > max_bytes:
        raise ValueError("the encoded list is larger than any list we publish")
    return bits


def is_set(bits: bytes, slot: int) -> bool:
    """Whether the bit at `slot` is set."""
    return slot // 8 < len(bits) and bool(bits[slot // 8] & (0x80 >> (slot % 8)))


def status_list_credential(
    list_url: str, issuer: str, set_slots: Iterable[int], valid_from: datetime
) -> dict:
    """The unsigned BitstringStatusListCredential for one list."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(set_slots),
        },
    }
