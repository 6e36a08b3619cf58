"""Certificate PDFs without an app: a sample certificate's content, the text a PDF prints,
and signing identities (a development chain, or a self-signed key like a sponsor's own)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from ceengine.certificates.render import CertificateData, PrintedCredit
from ceengine.certificates.signing import create_development_chain, load_identity

DATA = CertificateData(
    number="7KQ2-M9XD-4HTR-V",
    learner_name="José Álvarez-Núñez",
    course_title="Compassion Cultivation Training for Healthcare Professionals",
    presenters="Gonzalo Brito-Pons, PhD",
    ce_hours="2",
    course_format="Self-paced online (home study)",
    completion_date="21 November 2026",
    score="13 of 14 (92%)",
    sponsor_name="Example CE Sponsor",
    sponsor_contact="ce@example.org",
    verify_url="https://ce.example.org/verify/7KQ2-M9XD-4HTR-V",
    administrator="Dana Reyes, PhD, CE Administrator",
    license_line="LCSW · License 12345 · California",
    credits=(
        PrintedCredit(
            short="APA",
            body_name="American Psychological Association",
            provider="Example CE Sponsor",
            number="",
            period="",
            amount="2 CE credits",
            format="Self-paced online (home study)",
            statement="Example CE Sponsor is approved by the American Psychological Association "
            "to sponsor continuing education for psychologists. Example CE Sponsor maintains "
            "responsibility for this program and its content.",
        ),
    ),
)


def pdf_text(pdf: bytes) -> str:
    """The text printed on a certificate PDF (one page, as every certificate is), spaces
    collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def identity_in(folder, organisation="Example CE"):
    files = create_development_chain(folder, organisation)
    return load_identity(*(files[k].read_bytes() for k in ("key", "cert", "chain")))


def sponsor_signing_files(folder: Path) -> tuple[Path, Path]:
    """A self-signed signing key and certificate like a sponsor's own (not a development one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Compassion CE Institute")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file
