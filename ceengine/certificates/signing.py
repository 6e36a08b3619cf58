"""Signing certificate PDFs with pyHanko (PAdES B-B), and checking a signed PDF.

The signing key is loaded once and kept in memory: pyHanko's `SimpleSigner.load`
re-reads the key for every signature, which costs more than the signing itself.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "CertificateSignature"


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded signing key, its certificate, and the chain up to a trusted root."""

    signer: signers.SimpleSigner
    root: asn1_x509.Certificate


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def identity_from(key, cert: x509.Certificate, chain: list[x509.Certificate]) -> SigningIdentity:
    """A signing identity from a loaded private key, its certificate and the chain above it.

    The last certificate of `chain` (or `cert` itself when the chain is empty) is the root
    that verification trusts.
    """
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    asn1_chain = [_asn1_cert(c) for c in chain] or [_asn1_cert(cert)]
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(asn1_chain))
    return SigningIdentity(signer, asn1_chain[-1])


def load_identity(key_pem: bytes, cert_pem: bytes, chain_pem: bytes,
                  password: bytes | None = None) -> SigningIdentity:
    """Load a PEM key, its certificate and its chain (ending at the root) into memory."""
    key = serialization.load_pem_private_key(key_pem, password=password)
    chain = x509.load_pem_x509_certificates(chain_pem) if chain_pem.strip() else []
    return identity_from(key, x509.load_pem_x509_certificate(cert_pem), chain)


def load_pkcs12_identity(data: bytes, password: bytes | None = None) -> SigningIdentity:
    """Load a PKCS#12 (.p12/.pfx) bundle: key, certificate and any chain certificates."""
    key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file has no private key or no certificate")
    return identity_from(key, cert, list(extra))


def sign_pdf(pdf: bytes, identity: SigningIdentity, reason: str, location: str,
             timestamp_url: str | None = None) -> bytes:
    """Sign `pdf` with an invisible PAdES signature covering the whole document.

    PAdES B-B; with `timestamp_url` (an RFC 3161 authority) a signature timestamp makes it B-T.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason, location=location,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    output = signers.sign_pdf(writer, meta, signer=identity.signer, timestamper=timestamper)
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What a signature check found; `problem` is None when authentic and unchanged."""

    signed_by: str | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """Authentic, trusted and covering the entire file."""
        return self.problem is None


def check_signature(pdf: bytes, trust_roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    """Validate the PDF's signature against `trust_roots`; bytes after it are a failure."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # pyHanko raises many kinds of errors on non-PDF input
        return SignatureCheck(None, "This file is not a readable PDF.")
    if len(signatures) != 1:
        return SignatureCheck(None, "This PDF does not carry exactly one signature.")
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=trust_roots))
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    if not status.intact or not status.valid:
        return SignatureCheck(signer, "The signature does not match the document: "
                                      "the PDF was changed after it was signed.")
    if not status.trusted:
        return SignatureCheck(signer, "The signature was not made by this sponsor's "
                                      "signing certificate.")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(signer, "The signature does not cover the whole file: "
                                      "something was added after signing.")
    return SignatureCheck(signer, None)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def create_development_chain(folder: Path, organisation: str) -> dict[str, Path]:
    """A development root CA and a signing certificate under it (EC P-256), as PEM files."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{organisation} Development Root CA", organisation)
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(root_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder()
            .subject_name(_name(f"{organisation} Certificate Signing (development)",
                                organisation))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(root_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    files = {"key": folder / "signing-key.pem", "cert": folder / "signing-cert.pem",
             "chain": folder / "signing-chain.pem"}
    files["key"].write_bytes(_pem_key(key))
    files["key"].chmod(0o600)
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["chain"].write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                               + root.public_bytes(serialization.Encoding.PEM))
    return files
