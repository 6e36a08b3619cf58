"""`ceengine certificates ...` as the sponsor's administrator uses it.

verify FILE says AUTHENTIC AND UNCHANGED (exit 0) or why not (exit 1); show, revoke and
reissue act on a certificate number and say what they did; init-signing writes a
development key without overwriting one by accident. Poppler's pdfsig, a reader that is
not ours, agrees that an issued certificate's signature is valid and covers the document.
"""

from __future__ import annotations

import shutil
import stat
import subprocess

import pytest

from ceengine.certificates.edition import long_date
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID
from ceengine.certificates.numbers import new_certificate_number
from ceengine.certificates.services import find_certificate
from ceengine.certificates.signing import MAX_PDF_BYTES
from ceengine.certificates.signing_key import signing_identity
from ceengine.extensions import db
from tests.support.app import make_app, skip_missing_infrastructure
from tests.support.certificate_steps import (
    certificates,
    download_link,
    issue,
    one_byte_changed,
    signed_by_someone_else,
)
from tests.support.hostile_pdf import PathBuilding, forged_certificate, our_certificates
from tests.support.mail_steps import outbox

REASON = "Issued in error: the learner retook the quiz"


# --- steps -----------------------------------------------------------------------------


def issued(client, **details):
    """Issue a certificate through the site; return the stored row."""
    issue(client, **details)
    return certificates()[-1]


def downloaded(client, folder, **details):
    """Issue a certificate, download its PDF into `folder`; return (row, path)."""
    page = issue(client, **details)
    path = folder / "certificate.pdf"
    path.write_bytes(client.get(download_link(page)).data)
    return certificates()[-1], path


def certificates_command(runner, *args: str, answer: str | None = None):
    """Run `ceengine certificates ARGS...`, typing `answer` at any prompt."""
    return runner.invoke(args=["certificates", *args], input=answer)


def status_of(number: str) -> str:
    """A certificate's status as stored now (the command ran in its own session)."""
    db.session.expire_all()
    return find_certificate(number).status


# --- verify ----------------------------------------------------------------------------


def test_verify_says_a_downloaded_pdf_is_authentic_and_unchanged(synced, client, runner, tmp_path):
    certificate, path = downloaded(client, tmp_path)

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"VALID: certificate {certificate.number} was issued by Compassion CE Institute and "
        "has not been revoked."
    )
    assert f"AUTHENTIC AND UNCHANGED: {path}" in result.output
    assert "Signed by" in result.output and "ceengine Tests" in result.output
    assert f"Certificate {certificate.number}: VALID" in result.output
    assert "Name:      Ana María Núñez <ana@example.org>" in result.output


def test_verify_of_an_authentic_but_revoked_pdf_leads_with_revoked_and_fails(
    synced, client, runner, tmp_path
):
    certificate, path = downloaded(client, tmp_path)
    certificates_command(runner, "revoke", certificate.number, "--reason", REASON, "--yes")

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1, result.output  # not valid today
    lines = result.output.splitlines()
    revoked_at = long_date(find_certificate(certificate.number).revoked_at)
    assert lines[0] == f"REVOKED on {revoked_at}: {REASON}"
    assert lines[1] == (
        f"The file is authentic and unchanged, but this certificate is no longer valid: {path}"
    )
    assert "AUTHENTIC AND UNCHANGED" not in result.output
    assert f"Certificate {certificate.number}: REVOKED" in result.output


def test_verify_of_an_authentic_but_superseded_pdf_leads_with_superseded_and_fails(
    synced, client, runner, tmp_path
):
    certificate, path = downloaded(client, tmp_path)
    certificates_command(
        runner, "reissue", certificate.number, "--name", "New Name", "--no-email", "--yes"
    )
    db.session.expire_all()
    new = find_certificate(certificate.number).superseded_by

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"SUPERSEDED by certificate {new.number}, which replaces it."
    assert lines[1].startswith("The file is authentic and unchanged, but this certificate")
    assert "AUTHENTIC AND UNCHANGED" not in result.output


def test_verify_refuses_a_forged_signature_with_decoy_roots_without_building_a_path(
    synced, client, runner, tmp_path, monkeypatch
):
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged_certificate(issued(client), decoys=10))
    building = PathBuilding(monkeypatch, our_certificates(signing_identity()))

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert f"NOT AUTHENTIC: {path}" in result.output
    assert "The signature was not made by this sponsor's signing certificate." in result.output
    assert building.ends == []


def test_verify_refuses_a_file_larger_than_any_certificate_without_reading_it(
    synced, runner, tmp_path
):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(MAX_PDF_BYTES + 1)

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert "This file is larger than any certificate we issue." in result.output


def test_verify_refuses_a_pdf_with_one_changed_byte(synced, client, runner, tmp_path):
    _, path = downloaded(client, tmp_path)
    path.write_bytes(one_byte_changed(path.read_bytes()))

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert f"NOT AUTHENTIC: {path}" in result.output
    assert "the PDF was changed after it was signed" in result.output
    assert "AUTHENTIC AND UNCHANGED" not in result.output


def test_verify_refuses_bytes_appended_after_the_end(synced, client, runner, tmp_path):
    _, path = downloaded(client, tmp_path)
    path.write_bytes(path.read_bytes() + b"\n% added later\n")

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert "NOT AUTHENTIC" in result.output
    assert "does not cover the whole file: something was added after signing" in result.output


def test_verify_refuses_a_pdf_signed_with_another_key(synced, client, runner, tmp_path):
    certificate = issued(client)
    path = tmp_path / "forged.pdf"
    path.write_bytes(signed_by_someone_else(certificate, tmp_path / "other-key"))

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert "NOT AUTHENTIC" in result.output
    assert "The signature was not made by this sponsor's signing certificate." in result.output


def test_verify_refuses_a_file_that_is_not_a_pdf(synced, runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a certificate")

    result = certificates_command(runner, "verify", str(path))

    assert result.exit_code == 1
    assert (
        "This file is neither a certificate PDF nor an Open Badge credential (JSON)."
        in result.output
    )


def test_verify_of_a_missing_file_says_so(synced, runner, tmp_path):
    result = certificates_command(runner, "verify", str(tmp_path / "missing.pdf"))

    assert result.exit_code == 2
    assert "does not exist" in result.output


# --- show ------------------------------------------------------------------------------


def test_show_prints_the_status_and_what_the_certificate_says(synced, client, runner):
    certificate = issued(client, full_name="Kim Lee", email="kim@example.org")

    result = certificates_command(runner, "show", certificate.number.lower().replace("-", ""))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Certificate {certificate.number}: VALID"
    assert "  Name:      Kim Lee <kim@example.org>" in lines
    assert "  Course:    Demo Lesson on Kindness (1 CE hours)" in lines
    assert lines[3].startswith("  Completed: ") and "; issued " in lines[3]
    assert lines[-1].endswith(f"/verify/{certificate.number}")


def test_show_of_an_unknown_number_fails(synced, runner):
    number = new_certificate_number()

    result = certificates_command(runner, "show", number)

    assert result.exit_code == 1
    assert f"Error: No certificate has the number {number}." in result.output


# --- revoke ----------------------------------------------------------------------------


def test_revoke_with_yes_revokes_and_show_gives_the_reason(synced, client, runner):
    certificate = issued(client)

    result = certificates_command(runner, "revoke", certificate.number, "--reason", REASON, "--yes")

    assert result.exit_code == 0, result.output
    assert f"Revoked {certificate.number}: {REASON}" in result.output
    assert status_of(certificate.number) == REVOKED
    shown = certificates_command(runner, "show", certificate.number).output
    assert f"Certificate {certificate.number}: REVOKED" in shown
    assert f": {REASON}" in shown


def test_revoke_asks_first_and_no_changes_nothing(synced, client, runner):
    certificate = issued(client)

    result = certificates_command(
        runner, "revoke", certificate.number, "--reason", REASON, answer="n\n"
    )

    assert result.exit_code == 1
    assert "Revoke this certificate? This cannot be undone" in result.output
    assert "Aborted" in result.output
    assert status_of(certificate.number) == VALID


def test_revoke_asks_first_and_yes_revokes(synced, client, runner):
    certificate = issued(client)

    result = certificates_command(
        runner, "revoke", certificate.number, "--reason", REASON, answer="y\n"
    )

    assert result.exit_code == 0, result.output
    assert status_of(certificate.number) == REVOKED


def test_revoking_twice_fails_with_a_message(synced, client, runner):
    certificate = issued(client)
    certificates_command(runner, "revoke", certificate.number, "--reason", REASON, "--yes")

    result = certificates_command(
        runner, "revoke", certificate.number, "--reason", "Again", "--yes"
    )

    assert result.exit_code == 1
    assert f"Error: Certificate {certificate.number} is already revoked." in result.output
    shown = certificates_command(runner, "show", certificate.number).output
    assert REASON in shown and "Again" not in shown


def test_revoke_needs_a_reason_that_is_not_blank(synced, client, runner):
    certificate = issued(client)

    result = certificates_command(runner, "revoke", certificate.number, "--reason", "   ", "--yes")

    assert result.exit_code == 1
    assert "Give a reason: it is shown on the verification page." in result.output
    assert status_of(certificate.number) == VALID


def test_revoke_of_an_unknown_number_fails(synced, runner):
    number = new_certificate_number()

    result = certificates_command(runner, "revoke", number, "--reason", REASON, "--yes")

    assert result.exit_code == 1
    assert f"Error: No certificate has the number {number}." in result.output


# --- reissue ---------------------------------------------------------------------------


def reissued_number(output: str) -> str:
    """The new number in `Reissued as NUMBER; ...`."""
    line = next(line for line in output.splitlines() if line.startswith("Reissued as "))
    return line.removeprefix("Reissued as ").split(";")[0]


def test_reissue_prints_the_new_number_and_supersedes_the_old(synced, client, runner):
    old = issued(client, full_name="Ana Nunez")

    result = certificates_command(runner, "reissue", old.number, "--name", "Ana Núñez", "--yes")

    assert result.exit_code == 0, result.output
    new_number = reissued_number(result.output)
    assert f"{old.number} is now superseded." in result.output
    assert result.output.rstrip().endswith(f"/verify/{new_number}")
    assert status_of(old.number) == SUPERSEDED
    assert f"Superseded by {new_number}" in certificates_command(runner, "show", old.number).output
    new = find_certificate(new_number)
    assert (new.status, new.full_name, new.email) == (VALID, "Ana Núñez", old.email)


def test_reissue_emails_the_learner_the_new_link(synced, client, runner):
    old = issued(client, email="ana@example.org")
    sent_before = len(outbox(synced))

    result = certificates_command(runner, "reissue", old.number, "--name", "Ana Núñez", "--yes")

    assert result.exit_code == 0, result.output
    assert "Emailed the new link to ana@example.org." in result.output
    assert len(outbox(synced)) == sent_before + 1
    email = outbox(synced)[-1]
    new_number = reissued_number(result.output)
    assert email.to == ["ana@example.org"]
    assert "Hello Ana Núñez" in email.body
    assert f"Certificate number: {new_number}" in email.body
    assert "/certificates/" in email.body and f"/verify/{new_number}" in email.body


def test_reissue_to_a_new_address_emails_the_new_address(synced, client, runner):
    old = issued(client, email="ana@old.example.org")

    result = certificates_command(
        runner, "reissue", old.number, "--email", "ana@new.example.org", "--yes"
    )

    assert result.exit_code == 0, result.output
    assert outbox(synced)[-1].to == ["ana@new.example.org"]
    assert find_certificate(reissued_number(result.output)).email == "ana@new.example.org"


def test_reissue_with_no_email_sends_nothing(synced, client, runner):
    old = issued(client)
    sent_before = len(outbox(synced))

    result = certificates_command(
        runner, "reissue", old.number, "--name", "Ana Núñez", "--no-email", "--yes"
    )

    assert result.exit_code == 0, result.output
    assert "Emailed" not in result.output
    assert len(outbox(synced)) == sent_before


def test_reissue_asks_first_and_no_changes_nothing(synced, client, runner):
    old = issued(client)

    result = certificates_command(
        runner, "reissue", old.number, "--name", "Ana Núñez", answer="n\n"
    )

    assert result.exit_code == 1
    assert "Reissue it to Ana Núñez?" in result.output
    assert status_of(old.number) == VALID
    assert len(certificates()) == 1


def test_reissue_of_a_revoked_certificate_fails(synced, client, runner):
    old = issued(client)
    certificates_command(runner, "revoke", old.number, "--reason", REASON, "--yes")

    result = certificates_command(runner, "reissue", old.number, "--name", "X Y", "--yes")

    assert result.exit_code == 1
    assert (
        f"Error: Certificate {old.number} is revoked; only a valid certificate can be reissued."
    ) in result.output
    assert len(certificates()) == 1


def test_reissue_refuses_an_email_address_that_is_not_one(synced, client, runner):
    old = issued(client)

    result = certificates_command(
        runner, "reissue", old.number, "--email", "ana at example", "--yes"
    )

    assert result.exit_code == 1
    assert "email address" in result.output.lower()
    assert status_of(old.number) == VALID


@pytest.mark.parametrize("name", ["N" * 250, "Ana \u202eNúñez"], ids=["too-long", "bidi-override"])
def test_reissue_refuses_a_name_the_learner_form_would_refuse(synced, client, runner, name):
    old = issued(client)

    result = certificates_command(runner, "reissue", old.number, "--name", name, "--yes")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # a message, no traceback
    assert "name" in result.output.lower()
    assert status_of(old.number) == VALID


# --- init-signing ----------------------------------------------------------------------


@pytest.fixture
def bare_app(tmp_path, courses_dir):
    """An app whose instance folder is a temporary one (never the project's instance/)."""
    app = make_app(f"sqlite:///{tmp_path / 'bare.db'}", courses_dir)
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def signing_folder_contents(app) -> dict[str, bytes]:
    """The files init-signing wrote, by name."""
    folder = app.instance_path + "/signing"
    return {
        name: open(f"{folder}/{name}", "rb").read()
        for name in ("signing-key.pem", "signing-cert.pem", "signing-chain.pem")
    }


def test_init_signing_writes_a_key_certificate_and_chain(bare_app, tmp_path):
    result = bare_app.test_cli_runner().invoke(args=["certificates", "init-signing"])

    assert result.exit_code == 0, result.output
    folder = tmp_path / "instance" / "signing"
    for name in ("signing-key.pem", "signing-cert.pem", "signing-chain.pem"):
        assert str(folder / name) in result.output
    files = signing_folder_contents(bare_app)
    assert files["signing-key.pem"].startswith(b"-----BEGIN PRIVATE KEY-----")
    assert files["signing-chain.pem"].count(b"BEGIN CERTIFICATE") == 2
    assert stat.S_IMODE((folder / "signing-key.pem").stat().st_mode) == 0o600
    assert "This is a development key: production refuses it." in result.output


def test_init_signing_will_not_overwrite_a_key_without_force(bare_app):
    runner = bare_app.test_cli_runner()
    runner.invoke(args=["certificates", "init-signing"])
    before = signing_folder_contents(bare_app)

    result = runner.invoke(args=["certificates", "init-signing"])

    assert result.exit_code == 1
    assert "A signing key already exists" in result.output
    assert "use --force only if you mean to replace it" in result.output
    assert signing_folder_contents(bare_app) == before


def test_init_signing_with_force_replaces_the_key(bare_app):
    runner = bare_app.test_cli_runner()
    runner.invoke(args=["certificates", "init-signing"])
    before = signing_folder_contents(bare_app)

    result = runner.invoke(args=["certificates", "init-signing", "--force"])

    assert result.exit_code == 0, result.output
    after = signing_folder_contents(bare_app)
    assert all(after[name] != before[name] for name in before)


# --- another reader: Poppler's pdfsig ---------------------------------------------------


def test_pdfsig_finds_the_signature_valid_and_covering_the_document(synced, client, tmp_path):
    if not shutil.which("pdfsig"):
        skip_missing_infrastructure("Poppler's pdfsig (poppler-utils) is not installed")
    _, path = downloaded(client, tmp_path)

    report = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60
    ).stdout

    assert "Signature #1" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "ceengine Tests Certificate Signing (development)" in report
