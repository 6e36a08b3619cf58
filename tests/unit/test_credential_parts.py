"""The pure parts of the Open Badge credentials, without an app: the sponsor's did:web and
where its DID document lives, the Bitstring Status List's bits, Multikey public keys, and
hours as JSON numbers."""

from __future__ import annotations

import base64
import gzip
from decimal import Decimal

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ceengine.certificates.badge import json_number
from ceengine.certificates.did import did_document, did_document_url, did_web, key_id
from ceengine.certificates.proofs import public_from_multibase, public_multibase
from ceengine.certificates.status_list import (
    LIST_SIZE,
    decode,
    encode,
    global_index,
    is_set,
    list_and_slot,
)


def raw(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def encoded_list(payload: bytes) -> str:
    """Bytes as an `encodedList` is written: multibase base64url, no padding."""
    return "u" + base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


# --- did:web ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "did", "document"),
    [
        (
            "https://ce.example.org",
            "did:web:ce.example.org",
            "https://ce.example.org/.well-known/did.json",
        ),
        ("https://example.org/ce", "did:web:example.org:ce", "https://example.org/ce/did.json"),
        (
            "http://127.0.0.1:5000",
            "did:web:127.0.0.1%3A5000",
            "https://127.0.0.1:5000/.well-known/did.json",
        ),
    ],
)
def test_did_web_names_the_site_and_its_document_address(base, did, document):
    assert did_web(base) == did
    assert did_document_url(did) == document


def test_a_trailing_slash_and_a_deeper_path_give_the_same_kind_of_did():
    assert did_web("https://ce.example.org/") == "did:web:ce.example.org"
    assert did_web("https://example.org/a/b/") == "did:web:example.org:a:b"
    assert did_document_url("did:web:example.org:a:b") == "https://example.org/a/b/did.json"


@pytest.mark.parametrize("base", ["https://ce.example.org", "https://example.org/ce/sub"])
def test_an_https_site_round_trips_from_did_to_document_address(base):
    document = did_document_url(did_web(base))
    assert document.startswith(base + "/")
    assert document.endswith("/did.json")


def test_the_did_document_lists_every_key_newest_first_for_assertion():
    did = did_web("https://ce.example.org")
    new, old = (Ed25519PrivateKey.generate().public_key() for _ in range(2))

    document = did_document(did, [new, old])

    assert document["id"] == did
    methods = document["verificationMethod"]
    assert [m["publicKeyMultibase"] for m in methods] == [
        public_multibase(new),
        public_multibase(old),
    ]
    assert all(m["type"] == "Multikey" and m["controller"] == did for m in methods)
    assert document["assertionMethod"] == [key_id(did, new), key_id(did, old)]
    assert key_id(did, new) == f"{did}#{public_multibase(new)}"


# --- status lists ----------------------------------------------------------------------


def test_an_empty_list_is_all_zero_and_the_size_the_specification_sets():
    bits = decode(encode([]))
    assert len(bits) == LIST_SIZE // 8 == 16_384
    assert not any(bits)


def test_bit_zero_is_the_left_most_bit_of_the_first_byte():
    bits = decode(encode([0]))
    assert bits[0] == 0x80 and not any(bits[1:])
    assert is_set(bits, 0) and not is_set(bits, 1)


def test_bit_seven_is_the_right_most_bit_of_the_first_byte_and_eight_starts_the_next():
    bits = decode(encode([7, 8]))
    assert bits[0] == 0x01 and bits[1] == 0x80
    assert [slot for slot in range(16) if is_set(bits, slot)] == [7, 8]


def test_exactly_the_set_slots_read_back_set():
    slots = {3, 1000, 65_535, LIST_SIZE - 1}
    bits = decode(encode(slots))
    assert {slot for slot in range(LIST_SIZE) if is_set(bits, slot)} == slots


def test_a_slot_beyond_the_list_reads_as_not_set():
    assert not is_set(decode(encode([LIST_SIZE - 1])), LIST_SIZE + 8)


def test_the_encoded_list_is_multibase_base64url_without_padding():
    encoded = encode([5])
    assert encoded.startswith("u") and "=" not in encoded
    assert "+" not in encoded and "/" not in encoded
    assert encode([5]) == encoded  # no timestamp in the gzip header: the same bits, same text


def test_a_gzip_bomb_larger_than_the_list_is_refused():
    bomb = encoded_list(gzip.compress(bytes(50 * 1024 * 1024)))  # 50 MB of zeros, ~50 KB packed
    assert len(bomb) < 100_000

    with pytest.raises(ValueError, match="larger than any list we publish"):
        decode(bomb)


def test_a_list_not_written_as_multibase_base64url_is_refused():
    with pytest.raises(ValueError):
        decode(encode([1])[1:])  # without the "u"
    with pytest.raises(ValueError):
        decode(None)  # type: ignore[arg-type]


def test_a_bitstring_one_byte_longer_than_a_list_is_refused():
    with pytest.raises(ValueError):
        decode(encoded_list(gzip.compress(bytes(LIST_SIZE // 8 + 1))))


def test_a_payload_that_is_not_gzip_is_refused_with_value_error():
    with pytest.raises(ValueError):
        decode(encoded_list(b"this is not gzip at all"))


def test_a_truncated_gzip_payload_is_refused_with_value_error():
    with pytest.raises(ValueError):
        decode(encoded_list(gzip.compress(bytes(LIST_SIZE // 8))[:20]))


def test_list_numbers_start_at_one_and_global_indexes_round_trip():
    assert list_and_slot(0) == (1, 0)
    assert list_and_slot(LIST_SIZE - 1) == (1, LIST_SIZE - 1)
    assert list_and_slot(LIST_SIZE) == (2, 0)
    for index in (0, 17, LIST_SIZE - 1, LIST_SIZE, 5 * LIST_SIZE + 123):
        assert global_index(*list_and_slot(index)) == index


# --- Multikey public keys ----------------------------------------------------------------


def test_a_public_key_round_trips_through_multibase():
    key = Ed25519PrivateKey.generate().public_key()
    written = public_multibase(key)

    assert written.startswith("z6Mk")  # base58btc of the Ed25519 multicodec prefix 0xed01
    assert raw(public_from_multibase(written)) == raw(key)


def test_different_keys_are_written_differently():
    first, second = (public_multibase(Ed25519PrivateKey.generate().public_key()) for _ in range(2))
    assert first != second


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "z",
        "6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",  # no multibase "z"
        "m" + "A" * 44,  # base64 multibase, not base58btc
        "z0OIl",  # characters base58 does not use
        "z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(),  # one byte short
        "z" + base58.b58encode(b"\xed\x01" + bytes(33)).decode(),  # one byte long
        "z" + base58.b58encode(b"\xe7\x01" + bytes(32)).decode(),  # a secp256k1 prefix
        None,
        42,
    ],
)
def test_a_value_that_is_not_an_ed25519_multikey_is_refused(garbage):
    with pytest.raises(ValueError):
        public_from_multibase(garbage)


# --- hours as JSON numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "number"),
    [
        (Decimal("1"), 1),
        (Decimal("1.0"), 1),
        (Decimal("1.00"), 1),
        (Decimal("12"), 12),
        (Decimal("1.5"), 1.5),
        (Decimal("0.25"), 0.25),
        (Decimal("7.75"), 7.75),
    ],
)
def test_hours_are_json_numbers_whole_hours_as_integers(hours, number):
    value = json_number(hours)
    assert value == number
    assert type(value) is type(number)


def test_a_whole_number_of_hours_is_written_without_a_decimal_point():
    import json

    assert json.dumps({"h": json_number(Decimal("3.0"))}) == '{"h": 3}'
    assert json.dumps({"h": json_number(Decimal("1.5"))}) == '{"h": 1.5}'
