"""Signing certificate PDFs with pyHanko (PAdES B-B), and checking a signed PDF.

The signing key is loaded once and kept in memory: pyHanko's `SimpleSigner.load`
re-reads the key for every signature, which costs more than the signing itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.decode_limits import (
    DecodeLimits,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "CertificateSignature"


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded signing key, its certificate, and the chain up to a trusted root."""

    signer: signers.SimpleSigner
    root: asn1_x509.Certificate


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def identity_from(
    key: PrivateKeyTypes, cert: x509.Certificate, chain: list[x509.Certificate]
) -> SigningIdentity:
    """A signing identity from a loaded private key, its certificate and the chain above it.

    The last certificate of `chain` (or `cert` itself when the chain is empty) is the root
    that verification trusts.
    """
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    asn1_chain = [_asn1_cert(c) for c in chain] or [_asn1_cert(cert)]
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(asn1_chain),
    )
    return SigningIdentity(signer, asn1_chain[-1])


def load_identity(
    key_pem: bytes, cert_pem: bytes, chain_pem: bytes, password: bytes | None = None
) -> SigningIdentity:
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


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF (the Open Badge credential), covered by its signature."""

    name: str
    data: bytes
    mime_type: str
    description: str


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> bytes:
    """Sign `pdf` with an invisible PAdES signature covering the whole document, attachments
    included (they are added in the revision the signature closes).

    PAdES B-B; with `timestamp_url` (an RFC 3161 authority) a signature timestamp makes it B-T.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for attachment in attachments:
        # Stored uncompressed: checking an upload never inflates anything (see _DECODE_LIMITS).
        data = embed.EmbeddedFileObject.from_file_data(
            writer, attachment.data, compress=False, mime_type=attachment.mime_type
        )
        spec = embed.FileSpec(
            file_spec_string=attachment.name,
            file_name=attachment.name,
            embedded_data=data,
            description=attachment.description,
            af_relationship=generic.NameObject("/Supplement"),
        )
        embed.embed_file(writer, spec)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    output = signers.sign_pdf(writer, meta, signer=identity.signer, timestamper=timestamper)
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What a signature check found; `problem` is None when authentic and unchanged."""

    signed_by: str | None
    problem: str | None
    signer_name: str | None = None  # the organisation (else the person) the certificate names
    signed_at: dt.datetime | None = None  # the signing time the signature reports

    @property
    def ok(self) -> bool:
        """Authentic, trusted and covering the entire file."""
        return self.problem is None


# Bounds on what an upload may make the check do. A certificate we issue is about 60 KB and
# its signature carries our signing certificate and its chain (two or three certificates).
MAX_PDF_BYTES = 256 * 1024
MAX_EMBEDDED_CERTIFICATES = 8
# Checking one of our certificates decompresses nothing (a classic cross-reference table, the
# signature in a plain object), so an upload may make the reader inflate only this much in
# all: no compressed object stream can hide a megabyte of signature to parse.
_MAX_DECODED_BYTES = 64 * 1024
_DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_ratio=None, max_output_size=_MAX_DECODED_BYTES),
    per_purpose={},
    document_budget=DocumentDecodeBudget(base_allowance=_MAX_DECODED_BYTES, max_ratio=0),
)
_DIGESTS = frozenset({"sha256", "sha384", "sha512"})

NOT_READABLE = "This file is not a readable PDF."
NOT_ONE_SIGNATURE = "This PDF does not carry exactly one signature."
NOT_OURS = "The signature was not made by this sponsor's signing certificate."
CHANGED = "The signature does not match the document: the PDF was changed after it was signed."
NOT_WHOLE_FILE = "The signature does not cover the whole file: something was added after signing."


def _one_signature(pdf: bytes) -> EmbeddedPdfSignature | str:
    """The PDF's only signature, or why there is not exactly one (at most two are read)."""
    if len(pdf) > MAX_PDF_BYTES:
        return "This file is larger than any certificate we issue."
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False, decode_limits=_DECODE_LIMITS)
        found = list(islice(fields.enumerate_sig_fields(reader, filled_status=True), 2))
        if len(found) != 1:
            return NOT_ONE_SIGNATURE
        name, _, field = found[0]
        return EmbeddedPdfSignature(reader, field, name)
    except Exception:  # pyHanko and asn1crypto raise many kinds of errors on malformed input
        return NOT_READABLE


def _signer_certificate(signature: EmbeddedPdfSignature) -> asn1_x509.Certificate | None:
    """The certificate the signature names as its signer's, if the CMS is within bounds."""
    try:
        if len(signature.signed_data["certificates"]) > MAX_EMBEDDED_CERTIFICATES:
            return None
        return signature.signer_cert
    except Exception:  # no certificate matches the signer's id, or a malformed CMS
        return None


def _signer_name(cert: asn1_x509.Certificate | None) -> str | None:
    """Who signed, as a person reads it: the certificate's organisation, else its common name."""
    if cert is None:
        return None
    try:
        subject = cert.subject.native
        name = subject.get("organization_name") or subject.get("common_name")
    except Exception:  # a malformed name is no name
        return None
    return name if isinstance(name, str) and name.strip() else None


def _signing_time(signature: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time the signer says it signed (the CMS signing-time, else the PDF's /M): a claim,
    shown as the signing date, never used to decide authenticity."""
    try:
        moment = signature.self_reported_timestamp
    except Exception:  # a malformed date is no date
        return None
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        return None
    return moment if 1970 <= moment.year <= 9000 else None  # shown in any zone without overflow


def _chain_problem(identity: SigningIdentity) -> str | None:
    """Whether our own signing certificate is valid now, checked against our own chain only."""
    context = ValidationContext(trust_roots=[identity.root])
    others = [c for c in identity.signer.cert_registry if c.dump() != identity.root.dump()]
    validator = CertificateValidator(identity.signer.signing_cert, others, context)
    try:
        asyncio.run(validator.async_validate_path())
        PdfSignatureStatus.default_usage_constraints().validate(identity.signer.signing_cert)
    except (PathBuildingError, PathValidationError, InvalidCertificateError) as error:
        return f"The sponsor's signing certificate is not valid now: {error}"
    return None


def check_signature(pdf: bytes, identity: SigningIdentity) -> SignatureCheck:
    """Is `pdf` signed by `identity`'s certificate, unchanged, with nothing after it?

    Bounded by design: the file's size, one signature, a few embedded certificates; the signer
    must be our own certificate (compared byte for byte) before anything else is checked, and
    trust is decided on our own chain alone. The certificates an upload brings are never used
    to build a certification path, so no upload can make path building slow.
    """
    signature = _one_signature(pdf)
    if isinstance(signature, str):
        return SignatureCheck(None, signature)
    cert = _signer_certificate(signature)
    found = partial(
        SignatureCheck,
        cert.subject.human_friendly if cert is not None else None,
        signer_name=_signer_name(cert),
        signed_at=_signing_time(signature),
    )
    ours = identity.signer.signing_cert
    if cert is None or cert.dump() != ours.dump():
        return found(NOT_OURS)
    if signature.md_algorithm not in _DIGESTS:
        return found(CHANGED)
    try:
        signature.compute_integrity_info(skip_diff=True)  # the signed bytes' digest, coverage
        content_type = signature.signed_data["encap_content_info"]["content_type"].native
        intact, valid = validate_sig_integrity(
            signature.signer_info, ours, content_type, signature.compute_digest()
        )
    except Exception:  # a malformed signature is one that does not match
        intact = valid = False
    if not intact or not valid:
        return found(CHANGED)
    if signature.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return found(NOT_WHOLE_FILE)
    return found(_chain_problem(identity))


def embedded_file(pdf: bytes, suffix: str) -> bytes | None:
    """The first file embedded in `pdf` whose name ends with `suffix`, read within the upload
    bounds (a certificate's credential is stored uncompressed); None when there is none."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False, decode_limits=_DECODE_LIMITS)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for position in range(0, len(names) - 1, 2):
            if str(names[position]).endswith(suffix):
                return names[position + 1]["/EF"]["/F"].data
    except Exception:  # no name tree, a malformed one, or a stream beyond the bounds
        return None
    return None


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _pem_key(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_development_chain(folder: Path, organisation: str) -> dict[str, Path]:
    """A development root CA and a signing certificate under it (EC P-256), as PEM files."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{organisation} Development Root CA", organisation)
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{organisation} Certificate Signing (development)", organisation))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "key": folder / "signing-key.pem",
        "cert": folder / "signing-cert.pem",
        "chain": folder / "signing-chain.pem",
    }
    files["key"].write_bytes(_pem_key(key))
    files["key"].chmod(0o600)
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["chain"].write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + root.public_bytes(serialization.Encoding.PEM)
    )
    return files
