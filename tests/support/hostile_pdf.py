"""Hostile certificate PDFs for the verify upload: decoy certificates that make a
certification-path builder try every ordering of them.

The decoys all carry the sponsor's root's subject name (as subject and issuer) and one shared
key, so each can be read as the issuer of any other: a path builder that takes the
certificates an upload brings has n! candidate paths to try, and each fails only at the root.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def decoy_certificates(root: asn1_x509.Certificate, count: int, key) -> list[x509.Certificate]:
    """`count` CA certificates named like `root` (subject and issuer), all with `key`."""
    name = x509.Name.from_rfc4514_string(
        x509.load_der_x509_certificate(root.dump()).subject.rfc4514_string()
    )
    now = dt.datetime.now(dt.UTC)
    return [
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
        for _ in range(count)
    ]


def hostile_pdf(pdf: bytes, root: asn1_x509.Certificate, decoys: int) -> bytes:
    """`pdf` signed by a self-made key whose certificate names `root` as its issuer, with
    `decoys` decoy certificates in the signature's CMS certificates set."""
    shared = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    issuer = x509.load_der_x509_certificate(root.dump()).subject
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Forged Signer")]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(shared, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1(c) for c in decoy_certificates(root, decoys, shared)]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="CertificateSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer
    ).getvalue()


def with_decoys_added(signed: bytes, root: asn1_x509.Certificate, decoys: int) -> bytes:
    """A genuinely signed PDF with `decoys` decoy certificates slipped into its CMS
    certificates set. /Contents lies outside the signed byte range and the set is not signed,
    so the signature still verifies: only a check that ignores the upload's certificates is
    safe from it."""
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    hex_digits = match.group(1)
    info = cms.ContentInfo.load(bytes.fromhex(hex_digits.decode()))
    signed_data = info["content"]
    shared = ec.generate_private_key(ec.SECP256R1())
    extra = [
        cms.CertificateChoices(name="certificate", value=_asn1(c))
        for c in decoy_certificates(root, decoys, shared)
    ]
    signed_data["certificates"] = cms.CertificateSet([*signed_data["certificates"], *extra])
    contents = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    new_hex = contents.hex().encode()
    if len(new_hex) > len(hex_digits):
        raise ValueError("the signature's /Contents has no room for that many decoys")
    new_hex = new_hex.ljust(len(hex_digits), b"0")
    return signed[: match.start(1)] + new_hex + signed[match.end(1) :]


def our_certificates(identity) -> list[asn1_x509.Certificate]:
    """The sponsor's own certificates: the signing certificate, its chain and the root."""
    return [identity.signer.signing_cert, *identity.signer.cert_registry, identity.root]


class PathBuilding:
    """Every certification path pyhanko-certvalidator is asked to build, recorded.

    A build whose known certificates include one that is not ours fails at once: the old check
    handed the upload's certificates to the path builder, and with ten decoys that build takes
    minutes, so the test fails fast instead of hanging.
    """

    def __init__(self, monkeypatch, ours: list[asn1_x509.Certificate]):
        from pyhanko_certvalidator.registry import PathBuilder

        self.ends: list[str] = []
        allowed = {cert.dump() for cert in ours}
        original = PathBuilder.async_build_paths_lazy

        def recorded(builder, end_entity_cert):
            self.ends.append(end_entity_cert.subject.human_friendly)
            strangers = [
                c.subject.human_friendly for c in builder.registry if c.dump() not in allowed
            ]
            assert end_entity_cert.dump() in allowed and not strangers, (
                f"a certification path was built for {self.ends[-1]} with certificates the "
                f"upload brought: {strangers}"
            )
            return original(builder, end_entity_cert)

        monkeypatch.setattr(PathBuilder, "async_build_paths_lazy", recorded)


def forged_certificate(certificate, decoys: int) -> bytes:
    """An issued certificate's page rendered again and signed by a self-made key that claims
    the sponsor's root as its issuer, with `decoys` decoy roots (needs an app context)."""
    from ceengine.certificates.edition import LearnerDetails, certificate_data
    from ceengine.certificates.render import render_certificate
    from ceengine.certificates.signing_key import signing_identity

    details = LearnerDetails(certificate.full_name, certificate.email)
    page = render_certificate(certificate_data(certificate.attempt, details, certificate.number))
    return hostile_pdf(page, signing_identity().root, decoys)


def signature_in_object_stream(contents: int) -> bytes:
    """A PDF whose one signature dictionary sits in a compressed object stream, with a
    /Contents of `contents` zero bytes: a few kilobytes that inflate to twice that in hex."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter(stream_xrefs=True)
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 612, 792)])
    writer.insert_page(
        generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Page"), pdf_name("/MediaBox"): box})
    )
    signature = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Sig"),
            pdf_name("/Filter"): pdf_name("/Adobe.PPKLite"),
            pdf_name("/SubFilter"): pdf_name("/ETSI.CAdES.detached"),
            pdf_name("/ByteRange"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 1, 2, 3)]
            ),
            pdf_name("/Contents"): generic.ByteStringObject(b"\0" * contents),
        }
    )
    value = writer.add_object(signature, obj_stream=writer.prepare_object_stream())
    field = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Sig"),
                pdf_name("/T"): generic.TextStringObject("Sig"),
                pdf_name("/V"): value,
            }
        )
    )
    writer.root[pdf_name("/AcroForm")] = generic.DictionaryObject(
        {pdf_name("/Fields"): generic.ArrayObject([field])}
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
