"""`ceengine certificates ...`: signing keys, checking a PDF or credential, revoking and
reissuing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app

from ceengine.certificates import bp
from ceengine.certificates.credential_key import development_folder as credential_folder
from ceengine.certificates.credential_key import write_development_key
from ceengine.certificates.credentials import CredentialCheck, check_credential, read_json
from ceengine.certificates.edition import long_date, verify_url
from ceengine.certificates.mail import send_certificate_link
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from ceengine.certificates.services import (
    CertificateError,
    check_certificate_file,
    current_edition,
    find_certificate,
    reissue_certificate,
    revoke_certificate,
)
from ceengine.certificates.signing import MAX_PDF_BYTES, create_development_chain, embedded_file
from ceengine.certificates.signing_key import SigningNotConfigured, development_folder
from ceengine.templating import format_hours


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _describe(certificate: Certificate) -> None:
    click.echo(f"Certificate {certificate.number}: {certificate.status.upper()}")
    click.echo(f"  Name:      {certificate.full_name} <{certificate.email}>")
    click.echo(
        f"  Course:    {certificate.course_title} ({format_hours(certificate.ce_hours)} CE hours)"
    )
    click.echo(
        f"  Completed: {long_date(certificate.completed_at)}; "
        f"issued {long_date(certificate.issued_at)}"
    )
    if certificate.revoked_reason:
        click.echo(f"  Revoked {long_date(certificate.revoked_at)}: {certificate.revoked_reason}")
    if certificate.superseded_by is not None:
        click.echo(f"  Superseded by {current_edition(certificate).number}")
    click.echo(f"  Verify:    {verify_url(certificate.number)}")


@bp.cli.command("init-signing")
@click.option("--force", is_flag=True, help="Replace an existing development key.")
def init_signing(force: bool) -> None:
    """Create a development signing key and certificate chain under instance/signing/.

    Production uses the sponsor's own key instead: set CEENGINE_SIGNING_KEY,
    CEENGINE_SIGNING_CERT and CEENGINE_SIGNING_CHAIN (PEM files), or CEENGINE_SIGNING_PKCS12
    (a .p12 file), with CEENGINE_SIGNING_KEY_PASSWORD when the key is encrypted.
    """
    folder = development_folder(current_app)
    if (folder / "signing-key.pem").exists() and not force:
        _fail(
            f"A signing key already exists in {folder}. Certificates already issued were "
            "signed with it; use --force only if you mean to replace it."
        )
    files = create_development_chain(folder, current_app.config["SPONSOR_NAME"])
    for role, path in files.items():
        click.echo(f"Wrote {role:5} {path}")
    click.echo("This is a development key: production refuses it.")


def _status_line(certificate: Certificate) -> str:
    """The certificate's status today, in the words a verifier needs first."""
    if certificate.status == REVOKED:
        return f"REVOKED on {long_date(certificate.revoked_at)}: {certificate.revoked_reason}"
    if certificate.status == SUPERSEDED:
        return (
            f"SUPERSEDED by certificate {current_edition(certificate).number}, which replaces it."
        )
    return (
        f"VALID: certificate {certificate.number} was issued by "
        f"{current_app.config['SPONSOR_NAME']} and has not been revoked."
    )


@bp.cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Check a certificate file: its PDF (its status today, our signature over the whole file,
    the same bytes as issued, and the credential inside it) or its Open Badge credential
    (.json: the proof, the issuer, the status, our record).

    Exits 0 only when the file is authentic and unchanged and the certificate is valid today;
    1 otherwise (not authentic, revoked or superseded).
    """
    with file.open("rb") as opened:
        data = opened.read(MAX_PDF_BYTES + 1)  # a larger file is refused, never read whole
    if not data.startswith(b"%PDF"):
        _verify_credential(file, data)
        return
    try:
        check = check_certificate_file(data)
    except SigningNotConfigured as error:
        _fail(str(error))
    if check.problem is not None:
        click.echo(f"NOT AUTHENTIC: {file}")
        click.echo(f"  {check.problem}")
        sys.exit(1)
    certificate = check.certificate
    click.echo(_status_line(certificate))
    if certificate.status == VALID:
        click.echo(f"AUTHENTIC AND UNCHANGED: {file}")
    else:
        click.echo(
            f"The file is authentic and unchanged, but this certificate is no longer valid: {file}"
        )
    signed_on = f" on {long_date(check.signed_at)}" if check.signed_at else ""
    click.echo(f"  Signed by {check.signer_name or check.signed_by}{signed_on}")
    click.echo(f"  Signing certificate: {check.signed_by}")
    embedded = embedded_file(data, ".json")
    if embedded is not None:
        click.echo("  Open Badge credential inside the file:")
        for finding in _credential_check(embedded).findings:
            click.echo(f"    {finding.label}: {'yes' if finding.ok else 'NO'}. {finding.words}")
    _describe(certificate)
    if certificate.status != VALID:
        sys.exit(1)


def _credential_check(data: bytes) -> CredentialCheck:
    return check_credential(read_json(data))


def _verify_credential(file: Path, data: bytes) -> None:
    """The .json half of `verify`: an Open Badge credential."""
    document = read_json(data) if len(data) <= MAX_PDF_BYTES else None
    if not isinstance(document, dict):
        click.echo(f"NOT VALID: {file}")
        click.echo("  This file is neither a certificate PDF nor an Open Badge credential (JSON).")
        sys.exit(1)
    check = check_credential(document)
    click.echo(f"{'GENUINE AND ACTIVE' if check.ok else 'NOT VALID'}: {file}")
    for finding in check.findings:
        click.echo(f"  {finding.label}: {'yes' if finding.ok else 'NO'}. {finding.words}")
    if check.certificate is not None:
        _describe(check.certificate)
    if not check.ok:
        sys.exit(1)


@bp.cli.command("init-credential-key")
def init_credential_key() -> None:
    """Create a development Ed25519 key for Open Badge credentials under instance/credential/.

    An existing key moves to instance/credential/previous/ and stays in the DID document, so
    the credentials it signed keep verifying. Production refuses a development key: set
    CEENGINE_CREDENTIAL_KEY to the sponsor's own (openssl genpkey -algorithm ed25519), and
    CEENGINE_CREDENTIAL_PREVIOUS_KEYS to earlier ones.
    """
    path, moved = write_development_key(credential_folder(current_app))
    if moved is not None:
        click.echo(f"Moved the earlier key to {moved}: the DID document still publishes it.")
    click.echo(f"Wrote key {path}")
    click.echo("This is a development key: production refuses it.")


@bp.cli.command("show")
@click.argument("number")
def show(number: str) -> None:
    """Show a certificate's status and what it says."""
    certificate = find_certificate(number)
    if certificate is None:
        _fail(f"No certificate has the number {number}.")
    _describe(certificate)


@bp.cli.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Shown on the public verification page.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def revoke(number: str, reason: str, yes: bool) -> None:
    """Revoke a certificate: its verification page then says Revoked, with the reason."""
    certificate = find_certificate(number)
    if certificate is None:
        _fail(f"No certificate has the number {number}.")
    _describe(certificate)
    if not yes:
        click.confirm("Revoke this certificate? This cannot be undone", abort=True)
    try:
        revoked = revoke_certificate(number, reason)
    except CertificateError as error:
        _fail(str(error))
    click.echo(f"Revoked {revoked.number}: {revoked.revoked_reason}")


@bp.cli.command("reissue")
@click.argument("number")
@click.option("--name", help="The corrected full name to print.")
@click.option("--email", help="A new email address for the learner.")
@click.option("--no-email", "quiet", is_flag=True, help="Do not email the learner the new link.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reissue(number: str, name: str | None, email: str | None, quiet: bool, yes: bool) -> None:
    """Reissue a certificate with a new number; the old number then shows Superseded."""
    certificate = find_certificate(number)
    if certificate is None:
        _fail(f"No certificate has the number {number}.")
    _describe(certificate)
    if not yes:
        click.confirm(f"Reissue it{' to ' + name if name else ''}?", abort=True)
    try:
        new = reissue_certificate(number, full_name=name, email=email)
    except (CertificateError, SigningNotConfigured) as error:
        _fail(str(error))
    click.echo(f"Reissued as {new.number}; {certificate.number} is now superseded.")
    if not quiet:
        sent = send_certificate_link(new)
        click.echo(
            f"Emailed the new link to {new.email}."
            if sent
            else f"Could not email {new.email}; see the log."
        )
    click.echo(f"Verify: {verify_url(new.number)}")
