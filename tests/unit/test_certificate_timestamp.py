"""PAdES B-T: with a timestamp authority configured, the signature carries its timestamp."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import threading

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ceengine.certificates.render import render_certificate
from ceengine.certificates.signing import check_signature, sign_pdf
from tests.support.certificate_pdf import DATA, identity_in


def _time_stamping_authority():
    """A self-signed TSA certificate (extended key usage: time stamping) and its RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Timestamp Authority")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
    )


@pytest.fixture(scope="module")
def tsa():
    """An RFC 3161 timestamp authority over HTTP on loopback."""
    cert, key = _time_stamping_authority()
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", cert
    server.shutdown()


def test_a_configured_timestamp_authority_makes_the_signature_b_t(tsa, tmp_path):
    url, tsa_cert = tsa
    identity = identity_in(tmp_path)
    signed = sign_pdf(
        render_certificate(DATA), identity, "CE certificate", "Online", timestamp_url=url
    )
    assert check_signature(signed, identity).ok
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[identity.root]),
        ts_validation_context=ValidationContext(trust_roots=[tsa_cert]),
    )
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted


def test_without_a_timestamp_authority_the_signature_is_b_b(tmp_path):
    identity = identity_in(tmp_path)
    signed = sign_pdf(render_certificate(DATA), identity, "CE certificate", "Online")
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[identity.root]))
    assert status.timestamp_validity is None
