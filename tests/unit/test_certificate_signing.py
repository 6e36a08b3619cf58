"""Signed certificates: valid as issued; a changed byte, appended bytes or another key fail."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from ceengine.certificates.render import render_certificate
from ceengine.certificates.signing import (
    MAX_PDF_BYTES,
    check_signature,
    sign_pdf,
)
from tests.support.certificate_pdf import DATA, identity_in
from tests.support.hostile_pdf import (
    PathBuilding,
    hostile_pdf,
    our_certificates,
    signature_in_object_stream,
    with_decoys_added,
)


@pytest.fixture(scope="module")
def identity(tmp_path_factory):
    return identity_in(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="module")
def signed(identity):
    return sign_pdf(render_certificate(DATA), identity, "CE certificate", "https://ce.example.org")


def test_a_signed_certificate_is_authentic_and_unchanged(identity, signed):
    result = check_signature(signed, identity)
    assert result.ok, result.problem
    assert "Example CE Certificate Signing" in result.signed_by


def test_the_check_says_who_signed_and_when_in_plain_words(identity):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign_pdf(render_certificate(DATA), identity, "CE certificate", "https://ce.example")
    result = check_signature(signed, identity)
    assert result.signer_name == "Example CE"  # the organisation, not the certificate's names
    assert result.signed_at is not None
    assert before - dt.timedelta(seconds=1) <= result.signed_at <= dt.datetime.now(dt.UTC)


def test_another_keys_file_still_names_its_signer(identity, tmp_path):
    other = identity_in(tmp_path, "Someone Else")
    forged = sign_pdf(render_certificate(DATA), other, "CE certificate", "elsewhere")
    result = check_signature(forged, identity)
    assert not result.ok and result.signer_name == "Someone Else"


def test_bytes_appended_after_the_end_are_caught(identity, signed):
    result = check_signature(signed + b"\n% appended\n", identity)
    assert result.problem == (
        "The signature does not cover the whole file: something was added after signing."
    )


def test_one_changed_byte_of_content_is_caught(identity, signed):
    tampered = bytearray(signed)
    position = tampered.index(b"/Author")
    tampered[position + 9] ^= 0x01
    result = check_signature(bytes(tampered), identity)
    assert not result.ok


def test_a_signature_by_another_key_is_not_trusted(identity, tmp_path):
    other = identity_in(tmp_path, "Someone Else")
    forged = sign_pdf(render_certificate(DATA), other, "CE certificate", "elsewhere")
    result = check_signature(forged, identity)
    assert result.problem == "The signature was not made by this sponsor's signing certificate."


def test_an_unsigned_pdf_and_a_non_pdf_are_refused(identity):
    assert check_signature(render_certificate(DATA), identity).problem == (
        "This PDF does not carry exactly one signature."
    )
    assert check_signature(b"not a pdf at all", identity).problem == (
        "This file is not a readable PDF."
    )


@pytest.mark.parametrize(
    ("decoys", "signed_by"),
    [
        (6, "Common Name: Forged Signer"),  # compared with our certificate, and refused
        (10, None),  # more certificates than ours ever carry: refused before reading the signer
    ],
)
def test_a_self_made_signer_with_decoy_roots_is_refused_before_any_path_is_built(
    identity, monkeypatch, decoys, signed_by
):
    # Certificates named like our root, one shared key: the old check tried every ordering of
    # them (6 decoys took 1.7 s, 7 took 11 s, 8 took 95 s) before saying "not trusted".
    forged = hostile_pdf(render_certificate(DATA), identity.root, decoys=decoys)
    building = PathBuilding(monkeypatch, our_certificates(identity))

    result = check_signature(forged, identity)

    assert result.problem == "The signature was not made by this sponsor's signing certificate."
    assert result.signed_by == signed_by
    assert building.ends == []


def test_decoys_slipped_into_a_genuine_signature_are_never_used(identity, signed, monkeypatch):
    doctored = with_decoys_added(signed, identity.root, decoys=2)
    assert doctored != signed
    building = PathBuilding(monkeypatch, our_certificates(identity))

    result = check_signature(doctored, identity)

    assert result.ok, result.problem
    assert building.ends == [identity.signer.signing_cert.subject.human_friendly]


def test_a_signature_hidden_in_a_compressed_object_stream_is_not_inflated(identity):
    # 8 KB on disk, 2 MB of hexadecimal once inflated: pyHanko reads hex a character at a time
    # (about 2 s per MB), so the reader may inflate only a little of any upload.
    bomb = signature_in_object_stream(contents=1024 * 1024)
    assert len(bomb) < 20_000

    assert check_signature(bomb, identity).problem == "This file is not a readable PDF."


def test_a_file_larger_than_any_certificate_is_refused_unread(identity):
    assert check_signature(b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES, identity).problem == (
        "This file is larger than any certificate we issue."
    )


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (pdfsig) not installed")
def test_poppler_agrees_the_signature_is_valid_and_covers_the_document(signed, tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(signed)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    path.write_bytes(signed + b"\n% appended\n")
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Total document signed" not in report
