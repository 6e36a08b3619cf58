"""Signed certificates: valid as issued; a changed byte, appended bytes or another key fail."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ceengine.certificates.render import render_certificate
from ceengine.certificates.signing import (
    check_signature,
    create_development_chain,
    load_identity,
    sign_pdf,
)
from tests.unit.test_certificate_render import DATA


def identity_in(folder, organisation="Example CE"):
    files = create_development_chain(folder, organisation)
    return load_identity(*(files[k].read_bytes() for k in ("key", "cert", "chain")))


@pytest.fixture(scope="module")
def identity(tmp_path_factory):
    return identity_in(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="module")
def signed(identity):
    return sign_pdf(render_certificate(DATA), identity, "CE certificate", "https://ce.example.org")


def test_a_signed_certificate_is_authentic_and_unchanged(identity, signed):
    result = check_signature(signed, [identity.root])
    assert result.ok, result.problem
    assert "Example CE Certificate Signing" in result.signed_by


def test_bytes_appended_after_the_end_are_caught(identity, signed):
    result = check_signature(signed + b"\n% appended\n", [identity.root])
    assert result.problem == ("The signature does not cover the whole file: something was "
                              "added after signing.")


def test_one_changed_byte_of_content_is_caught(identity, signed):
    tampered = bytearray(signed)
    position = tampered.index(b"/Author")
    tampered[position + 9] ^= 0x01
    result = check_signature(bytes(tampered), [identity.root])
    assert not result.ok


def test_a_signature_by_another_key_is_not_trusted(identity, tmp_path):
    other = identity_in(tmp_path, "Someone Else")
    forged = sign_pdf(render_certificate(DATA), other, "CE certificate", "elsewhere")
    result = check_signature(forged, [identity.root])
    assert result.problem == "The signature was not made by this sponsor's signing certificate."


def test_an_unsigned_pdf_and_a_non_pdf_are_refused(identity):
    assert check_signature(render_certificate(DATA), [identity.root]).problem == (
        "This PDF does not carry exactly one signature.")
    assert check_signature(b"not a pdf at all", [identity.root]).problem == (
        "This file is not a readable PDF.")


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
