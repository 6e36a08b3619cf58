"""The Open Badges 3.0 credential issued with every certificate: what it says, that our own
check and Digital Bazaar's libraries both accept it and both refuse it once changed, signed by
another key, stripped of its proof or revoked, and that the PDF carries it under its
signature."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceengine.certificates.credentials import check_credential, loader, sponsor_did
from ceengine.certificates.did import key_id
from ceengine.certificates.proofs import add_proof
from ceengine.certificates.signing import check_signature, embedded_file
from ceengine.certificates.signing_key import signing_identity
from ceengine.columns import utcnow
from ceengine.courses.services import sync_courses
from tests.support.admin_steps import admin_client, admin_token, post_action
from tests.support.app import PROJECT_COURSES
from tests.support.certificate_steps import (
    certificates,
    download_link,
    issue,
    submit_details,
    take_quiz,
)
from tests.support.credential_steps import download_badge, node_check
from tests.support.feedback_steps import evaluate

SCHEMA = json.loads(
    (
        Path(__file__).parent.parent
        / "fixtures"
        / "openbadges"
        / "ob_v3p0_achievementcredential_schema.json"
    ).read_text()
)


def schema_problems(credential: dict) -> list[str]:
    """Where the credential breaks 1EdTech's Open Badges 3.0 schema (dates checked too)."""
    validator = jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(credential)]


def test_a_learner_downloads_a_credential_that_node_and_we_both_verify(synced, client):
    page = issue(client, full_name="Ana María Núñez", email="ana@example.org")
    credential = download_badge(client, page)
    (certificate,) = certificates()

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A5000"
    assert credential["issuer"]["name"] == "Compassion CE Institute"
    subject = credential["credentialSubject"]
    assert subject["certificateNumber"] == certificate.number
    assert subject["achievement"]["name"] == "Demo Lesson on Kindness"
    assert subject["creditsEarned"] == 1
    assert subject["identifier"][0]["identityHash"] == "Ana María Núñez"
    assert "ana@example.org" not in json.dumps(credential)  # only as a salted hash
    assert credential["validFrom"].startswith(certificate.completed_at.strftime("%Y-%m-%dT"))
    assert schema_problems(credential) == []

    assert check_credential(credential).ok
    verdict = node_check(client, credential)
    assert verdict == {
        "verified": True,
        "proofVerified": True,
        "revoked": False,
        "errors": [],
        "exit": 0,
    }


def _changed(credential: dict) -> dict:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["creditsEarned"] = 40
    return changed


def _no_proof(credential: dict) -> dict:
    return {k: v for k, v in credential.items() if k != "proof"}


def _another_key(credential: dict) -> dict:
    """Signed again, properly, by a key that is not the sponsor's, under the sponsor's key id."""
    unsigned = _no_proof(credential)
    method = credential["proof"][0]["verificationMethod"]
    return add_proof(unsigned, Ed25519PrivateKey.generate(), method, utcnow(), loader())


def _another_key_of_its_own(credential: dict) -> dict:
    """Signed by another key that names itself (not published in the DID document)."""
    key = Ed25519PrivateKey.generate()
    method = key_id(sponsor_did(), key.public_key())
    return add_proof(_no_proof(credential), key, method, utcnow(), loader())


@pytest.mark.parametrize(
    ("forgery", "ours", "theirs"),
    [
        (_changed, "it was changed after it was signed", "Invalid signature."),
        (_another_key, "it was changed after it was signed", "Invalid signature."),
        (
            _another_key_of_its_own,
            "signed with a key that is not the sponsor's",
            "no verification method",
        ),
        (_no_proof, "It carries no proof", "No matching proofs found"),
    ],
    ids=["one-changed-field", "another-key", "unpublished-key", "no-proof"],
)
def test_a_forged_credential_fails_in_python_and_in_node(synced, client, forgery, ours, theirs):
    credential = download_badge(client, issue(client))
    forged = forgery(credential)

    check = check_credential(forged)
    assert not check.ok
    assert ours in check.findings[0].words
    verdict = node_check(client, forged)
    assert verdict["verified"] is False and verdict["exit"] == 1
    assert any(theirs in e for e in verdict["errors"]), verdict["errors"]


def test_revoking_in_the_admin_console_makes_node_report_it_revoked(synced, client, app):
    page = issue(client)
    credential = download_badge(client, page)
    (certificate,) = certificates()
    assert node_check(client, credential)["revoked"] is False

    admin = admin_client(app)
    address = f"/admin/certificates/{certificate.number}"
    response = post_action(
        admin,
        f"{address}/revoke",
        token=admin_token(admin, address),
        reason="Completed by someone else",
        confirm="y",
    )
    assert response.status_code in (200, 303), response.status_code

    verdict = node_check(client, credential)
    assert verdict["revoked"] is True and verdict["exit"] == 1
    assert any("revoked: bit" in e for e in verdict["errors"]), verdict["errors"]
    check = check_credential(credential)
    assert [f.label for f in check.findings if not f.ok] == ["Status"]
    assert "Revoked: Completed by someone else." in check.problem
    assert client.get(f"{download_link(page)[:-4]}/open-badge.json").status_code == 410


def test_the_pdf_carries_the_credential_under_its_signature(synced, client):
    page = issue(client)
    credential = download_badge(client, page)
    pdf = client.get(download_link(page)).data

    embedded = embedded_file(pdf, ".json")
    assert embedded is not None and json.loads(embedded) == credential
    signature = check_signature(pdf, signing_identity())
    assert signature.ok, signature.problem  # coverage ENTIRE_FILE is part of ok


def test_pdfsig_says_the_whole_file_with_its_credential_is_signed(synced, client, tmp_path):
    page = issue(client)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(client.get(download_link(page)).data)
    listed = subprocess.run(
        ["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True
    )
    assert "open-badge-" in listed.stdout and ".json" in listed.stdout
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in checked.stdout, checked.stdout
    assert "Total document signed" in checked.stdout, checked.stdout


REQUIRED = {"license_type": "LCSW", "license_number": "LCS12345", "license_state": "CA"}


def test_every_course_gives_a_credential_that_meets_the_open_badges_schema(app, client):
    sync_courses(PROJECT_COURSES)
    slugs = sorted(p.name for p in PROJECT_COURSES.iterdir() if (p / "course.yaml").exists())
    assert len(slugs) == 4
    for slug in slugs:
        result = take_quiz(client, slug)
        # The project's courses ask for the evaluation first, one answer per objective.
        evaluate(client, result, objectives=(5,) * 8)
        issued = submit_details(
            client, result, full_name="Ana Núñez", email="ana@example.org", **REQUIRED
        )
        assert issued.status_code == 303, slug
        credential = download_badge(client, client.get(issued.headers["Location"]))
        assert schema_problems(credential) == [], slug
        subject = credential["credentialSubject"]
        assert subject["licenseNumber"] == "LCS12345" and subject["licenseState"] == "CA"
        achievement = subject["achievement"]
        assert achievement["alignment"], slug  # each course claims the sponsor's approval
        assert (
            subject["ceCredit"][0]["approvingBody"]
            == achievement["alignment"][0]["targetFramework"]
        )
        assert check_credential(credential).ok, slug
    assert node_check(client, credential)["exit"] == 0  # the last course's, in Node too
