"""Checking Open Badge credentials as the sponsor's site and command line do it.

On the Verify page: an uploaded credential (JSON) is Genuine and active, Not valid (changed,
another issuer, not a credential at all) or Genuine, but no longer valid (revoked), each
finding spelled out; a PDF shows the credential inside it too. `GET /verify/<number>.json`
gives scripts the status and fields, from any site, rate-limited. The DID document publishes
the current key and every earlier one, so a credential signed before a key rotation still
verifies, in Python and in Digital Bazaar's Node libraries. The status list sets exactly the
bit of a revoked or superseded certificate and is signed again. `ceengine certificates
verify` takes a .json, and `init-credential-key` keeps the earlier key published.

(Download, tampering, another key, a removed proof and revocation seen by the Node checker,
and the Open Badges schema are in test_open_badges.py.)
"""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import g

from ceengine import create_app
from ceengine.certificates.credential_key import credential_keys
from ceengine.certificates.credentials import check_credential, loader, sponsor_did, sponsor_key
from ceengine.certificates.did import key_id
from ceengine.certificates.models import Certificate
from ceengine.certificates.proofs import add_proof, check_proof, public_multibase
from ceengine.certificates.services import find_certificate, reissue_certificate, revoke_certificate
from ceengine.certificates.signing import MAX_PDF_BYTES
from ceengine.certificates.status_list import decode, encode, is_set, list_and_slot
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.app import (
    FreshRequestClient,
    app_settings,
    credential_key_file,
    make_app,
    sponsor_credential_key,
)
from tests.support.certificate_steps import certificates, download_link, issue, upload
from tests.support.credential_steps import download_badge, node_check
from tests.support.html import form_in, spoken_text_of

REASON = "Issued in error: the learner retook the quiz"
TEST_DID = "did:web:127.0.0.1%3A5000"  # the test apps' address, http://127.0.0.1:5000


# --- steps -----------------------------------------------------------------------------


def issued(client, **details) -> tuple[object, Certificate, dict]:
    """Issue a certificate through the site: the learner's page, the row, the credential."""
    page = issue(client, **details)
    return page, certificates()[-1], download_badge(client, page)


def as_file(credential: dict) -> bytes:
    return json.dumps(credential, indent=2).encode()


def upload_json(client, credential: dict | bytes, filename: str = "open-badge.json"):
    data = credential if isinstance(credential, bytes) else as_file(credential)
    return upload(client, data, filename)


def findings(response) -> str:
    return spoken_text_of(response)


def served_status_list(client, list_number: int = 1) -> dict:
    response = client.get(f"/credentials/status/{list_number}")
    assert response.status_code == 200, response.status_code
    return json.loads(response.data)


def set_slots(status_list: dict) -> set[int]:
    """The slots whose bit the served list sets."""
    bits = decode(status_list["credentialSubject"]["encodedList"])
    return {slot for slot in range(len(bits) * 8) if is_set(bits, slot)}


def slot_of(certificate: Certificate) -> int:
    list_number, slot = list_and_slot(certificate.status_index)
    assert list_number == 1
    return slot


def signed_elsewhere(credential: dict) -> dict:
    """The same credential, claiming another issuer and signed with that issuer's own key."""
    other_did = "did:web:diploma-mill.example"
    key = Ed25519PrivateKey.generate()
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": other_did, "name": "Diploma Mill"}
    method = f"{other_did}#{public_multibase(key.public_key())}"
    return add_proof(unsigned, key, method, datetime.now(UTC), loader())


# --- uploading a credential on the Verify page -----------------------------------------


def test_a_genuine_credential_is_genuine_and_active_with_every_finding(synced, client):
    _, certificate, credential = issued(client)

    response = upload_json(synced.test_client(), credential)

    assert response.status_code == 200
    text = findings(response)
    assert "Genuine and active: this credential was issued by Compassion CE Institute" in text
    assert "Proof: yes. The signature is valid: the credential is unchanged." in text
    assert f"Issuer: yes. Issued by Compassion CE Institute ({TEST_DID})." in text
    assert "Status: yes. Active: the sponsor has not revoked it." in text
    assert f"Record: yes. It matches our record of certificate {certificate.number}." in text
    assert "Not valid" not in text and ": no." not in text
    assert f"Certificate number {certificate.number}" in text
    assert "File: open-badge.json" in text


# One certificate per database for every change below: issuing is the slow part, and each
# change is checked on its own copy of the credential.
CHANGES = {
    "course": lambda c: c["credentialSubject"]["achievement"].update(name="Advanced Kindness"),
    "hours": lambda c: c["credentialSubject"].update(creditsEarned=20),
    "name": lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="Someone Else"),
    "date": lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
}


def test_a_credential_with_one_changed_field_is_not_valid(synced, client):
    _, certificate, credential = issued(client)
    wrong = {}
    for name, change in CHANGES.items():
        changed = copy.deepcopy(credential)
        change(changed)

        response = upload_json(client, changed)

        text = findings(response)
        expected = [
            "Not valid: The signature is not valid.",
            "Proof: no. The signature is not valid. Its signature does not match its contents",
            f"Record: no. It does not match our record of certificate {certificate.number}",
        ]
        missing = [line for line in expected if line not in text]
        # Nothing green follows: the record of that number is not shown beside a forged file.
        shown = [line for line in ("Genuine", "Valid: this certificate was issued") if line in text]
        if response.status_code != 422 or missing or shown:
            wrong[name] = (response.status_code, missing, shown)
    assert wrong == {}


def test_a_credential_from_another_issuer_is_not_valid(synced, client):
    _, _, credential = issued(client)

    response = upload_json(client, signed_elsewhere(credential))

    assert response.status_code == 422
    text = findings(response)
    assert "Not valid" in text and "Genuine" not in text
    assert (
        "Proof: no. The signature is not valid. It was signed with a key that is not the sponsor's."
    ) in text
    assert (
        "Issuer: no. It names another issuer (did:web:diploma-mill.example), not Compassion CE "
        "Institute."
    ) in text


def test_our_credential_re_signed_with_another_key_is_not_valid(synced, client):
    _, _, credential = issued(client)
    forged = {k: v for k, v in credential.items() if k != "proof"}
    key = Ed25519PrivateKey.generate()
    method = f"{TEST_DID}#{public_multibase(key.public_key())}"  # our DID, not our key
    forged = add_proof(forged, key, method, datetime.now(UTC), loader())

    response = upload_json(client, forged)

    assert response.status_code == 422
    text = findings(response)
    assert "Proof: no. The signature is not valid. It was signed with a key that is not the " in (
        text
    )
    assert "Issuer: yes" in text


def test_a_revoked_credential_is_genuine_but_no_longer_valid(synced, client):
    _, certificate, credential = issued(client)
    revoke_certificate(certificate.number, REASON)

    response = upload_json(synced.test_client(), credential)

    assert response.status_code == 422
    text = findings(response)
    assert "Genuine, but no longer valid: the sponsor issued this credential and has since " in (
        text
    )
    assert "revoked it" in text
    assert "Proof: yes" in text and "Issuer: yes" in text
    assert f"Status: no. Revoked: {REASON}." in text
    assert "Genuine and active" not in text
    assert "status-valid" not in response.get_data(as_text=True)


def test_a_superseded_credential_is_genuine_but_replaced(synced, client):
    _, certificate, credential = issued(client)
    new = reissue_certificate(certificate.number, full_name="New Name")

    response = upload_json(client, credential)

    assert response.status_code == 422
    text = findings(response)
    assert "Genuine, but no longer valid" in text and "has since replaced it" in text
    assert "Status: no. Superseded: a reissued certificate replaces it." in text
    assert f"Superseded by certificate {new.number}" in text


NOT_A_CREDENTIAL_FILE = (
    "That file is neither a certificate PDF nor an Open Badge credential (JSON). Choose the "
    "certificate's PDF file or its open-badge JSON file."
)


@pytest.mark.parametrize(
    "data",
    [
        b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ',
        b"\xff\xfe not text at all \x00\x01",
        b"",
        b"[" * 100_000 + b"]" * 100_000,  # nested deeper than any parser recurses
        b"null",
    ],
    ids=["truncated", "binary", "empty", "deeply-nested", "null"],
)
def test_a_file_that_is_not_json_is_refused_with_the_clear_message(synced, client, data):
    response = upload_json(client, data)

    assert response.status_code == 422
    assert NOT_A_CREDENTIAL_FILE in spoken_text_of(response)


@pytest.mark.parametrize(
    "document",
    [
        [],
        ["VerifiableCredential", "OpenBadgeCredential"],
        {"type": ["VerifiableCredential"]},
        {"type": "OpenBadgeCredential"},
        {"type": {"VerifiableCredential": 1}},
        "a string",
        42,
    ],
    ids=["array", "array-of-types", "plain-vc", "type-string", "type-object", "string", "number"],
)
def test_json_that_is_not_an_open_badge_is_not_valid_with_the_clear_message(
    synced, client, document
):
    response = upload_json(client, json.dumps(document).encode())

    assert response.status_code == 422
    text = spoken_text_of(response)
    assert "Not valid: That is not an Open Badge credential (JSON)." in text
    assert "Credential: no." in text


@pytest.mark.parametrize(
    "document",
    [
        {"type": 5},
        {"type": [["VerifiableCredential"]]},
    ],
    ids=["type-number", "type-nested-list"],
)
def test_a_malformed_type_is_not_valid_never_a_500(synced, client, document):
    response = upload_json(client, json.dumps(document).encode())

    assert response.status_code == 422
    assert "That is not an Open Badge credential (JSON)." in spoken_text_of(response)


SPOILINGS = {
    "no-proof": lambda c: c.pop("proof"),
    "two-proofs": lambda c: c.update(proof=[c["proof"][0], c["proof"][0]]),
    "proof-string": lambda c: c.update(proof="zSomething"),
    "bad-base58": lambda c: c["proof"][0].update(proofValue="z0OIl"),
    "proof-number": lambda c: c["proof"][0].update(proofValue=12),
    "method-list": lambda c: c["proof"][0].update(verificationMethod=["x"]),
    "other-suite": lambda c: c["proof"][0].update(cryptosuite="ecdsa-rdfc-2019"),
    "unknown-context": lambda c: c.update(
        {"@context": [*c["@context"], "https://evil.example/ctx.jsonld"]}
    ),
    "context-number": lambda c: c.update({"@context": 7}),
    "subject-string": lambda c: c.update(credentialSubject="not an object"),
    "number-object": lambda c: c["credentialSubject"].update(certificateNumber={"$ne": ""}),
    "issuer-list": lambda c: c.update(issuer=["did:web:a", "did:web:b"]),
}


def test_a_spoiled_credential_is_not_valid_never_a_500(synced, client):
    _, _, credential = issued(client)  # one certificate, spoiled in each way on its own copy
    wrong = {}
    for name, spoil in SPOILINGS.items():
        spoiled = copy.deepcopy(credential)
        spoil(spoiled)

        response = upload_json(client, spoiled)

        text = spoken_text_of(response)
        if response.status_code != 422 or "Not valid" not in text or "Genuine" in text:
            wrong[name] = response.status_code
    assert wrong == {}


def test_a_file_larger_than_any_credential_is_refused_with_a_message(synced, client):
    huge = b'{"padding": "' + b"x" * MAX_PDF_BYTES + b'"}'

    response = upload_json(client, huge)

    assert response.status_code == 422
    assert (
        "That file is larger than any certificate we issue (at most 256 KB). Choose the "
        "certificate's PDF or JSON file."
    ) in spoken_text_of(response)


def test_a_pdf_upload_shows_the_credential_inside_the_file(synced, client):
    page, certificate, _ = issued(client)
    pdf = client.get(download_link(page)).data

    response = upload(synced.test_client(), pdf)

    assert response.status_code == 200
    text = spoken_text_of(response)
    assert "Authentic and unchanged" in text
    assert "The Open Badge credential inside the file" in text
    after = text[text.index("The Open Badge credential inside the file") :]
    for label in ("Proof", "Issuer", "Status", "Record"):
        assert f"{label}: yes." in after
    assert f"It matches our record of certificate {certificate.number}." in after


def test_a_revoked_pdf_shows_the_credential_inside_it_revoked(synced, client):
    page, certificate, _ = issued(client)
    pdf = client.get(download_link(page)).data
    revoke_certificate(certificate.number, REASON)

    response = upload(client, pdf)

    text = spoken_text_of(response)
    after = text[text.index("The Open Badge credential inside the file") :]
    assert "Proof: yes." in after
    assert f"Status: no. Revoked: {REASON}." in after


# --- GET /verify/<number>.json ---------------------------------------------------------


def test_the_json_lookup_gives_the_status_and_fields_to_any_site(synced, client):
    _, certificate, credential = issued(client, full_name="Ana María Núñez")

    response = synced.test_client().get(f"/verify/{certificate.number}.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["number"] == certificate.number
    assert (body["status"], body["valid"]) == ("valid", True)
    assert body["revoked"] is None and body["superseded_by"] is None
    assert body["learner_name"] == "Ana María Núñez"
    assert body["course_title"] == "Demo Lesson on Kindness"
    assert body["ce_hours"] == "1"
    assert body["completed_on"] == certificate.completed_at.date().isoformat()
    assert isinstance(body["credits"], list)
    for credit in body["credits"]:
        assert set(credit) == {"body", "short", "amount", "provider_number"}
    assert body["verify_url"] == f"http://127.0.0.1:5000/verify/{certificate.number}"
    list_number, slot = list_and_slot(certificate.status_index)
    assert body["credential_status"] == {
        "statusListCredential": f"http://127.0.0.1:5000/credentials/status/{list_number}",
        "statusListIndex": slot,
    }
    # The same list and position the credential names.
    entry = credential["credentialStatus"]
    assert entry["statusListCredential"] == body["credential_status"]["statusListCredential"]
    assert int(entry["statusListIndex"]) == slot
    assert "ana@example.org" not in response.get_data(as_text=True)


def test_the_json_lookup_of_a_revoked_certificate_gives_the_date_and_reason(synced, client):
    _, certificate, _ = issued(client)
    revoked = revoke_certificate(certificate.number, REASON)

    body = client.get(f"/verify/{certificate.number}.json").get_json()

    assert (body["status"], body["valid"]) == ("revoked", False)
    assert body["revoked"] == {
        "on": revoked.revoked_at.date().isoformat(),
        "reason": REASON,
    }
    assert body["superseded_by"] is None


def test_the_json_lookup_of_a_superseded_certificate_names_its_replacement(synced, client):
    _, certificate, _ = issued(client)
    old_number = certificate.number
    new = reissue_certificate(old_number, full_name="New Name")

    old = client.get(f"/verify/{old_number}.json").get_json()
    current = client.get(f"/verify/{new.number}.json").get_json()

    assert (old["status"], old["valid"], old["superseded_by"]) == ("superseded", False, new.number)
    assert (current["status"], current["valid"], current["superseded_by"]) == (
        "valid",
        True,
        None,
    )
    assert current["learner_name"] == "New Name"


def test_the_json_lookup_takes_a_loosely_typed_number(synced, client):
    _, certificate, _ = issued(client)

    response = client.get(f"/verify/{certificate.number.lower().replace('-', '')}.json")

    assert response.status_code == 200
    assert response.get_json()["number"] == certificate.number


@pytest.mark.parametrize("number", ["7KQ2-M9XD-4HTR-V", "not-a-number", "%3Cscript%3E", "x" * 300])
def test_the_json_lookup_of_an_unknown_or_garbage_number_is_a_json_404(synced, client, number):
    response = client.get(f"/verify/{number}.json")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    error = response.get_json()["error"]
    assert error.startswith("No certificate has the number ")
    assert "a number looks like 7KQ2-M9XD-4HTR-V" in error
    assert len(error) < 200


@pytest.fixture
def limited(database_url, courses_dir):
    """An app that allows two verification requests a minute, with the courses loaded."""
    app = make_app(database_url, courses_dir, VERIFY_RATE_LIMIT="2 per minute")
    with app.app_context():
        sync_courses(courses_dir)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_json_lookup_is_rate_limited(limited):
    client = limited.test_client()
    _, certificate, _ = issued(client)
    address = f"/verify/{certificate.number}.json"

    assert [client.get(address).status_code for _ in range(2)] == [200, 200]
    response = client.get(address)

    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_uploading_credentials_is_rate_limited(limited):
    client = limited.test_client()
    _, _, credential = issued(client)

    g.pop("csrf_token", None)
    form = form_in(client.get("/verify").get_data(as_text=True), "csrf_token")

    def post():
        data = {**form.hidden, "pdf": (io.BytesIO(as_file(credential)), "open-badge.json")}
        return client.post("/verify", data=data, content_type="multipart/form-data")

    assert [post().status_code for _ in range(2)] == [200, 200]
    response = post()

    assert response.status_code == 429
    assert "Retry-After" in response.headers


# --- the DID document and key rotation -------------------------------------------------


def test_the_did_document_publishes_the_current_key_for_assertion(synced, client):
    response = client.get("/.well-known/did.json")

    assert response.status_code == 200
    assert response.mimetype == "application/did+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.data)
    assert document["id"] == TEST_DID == sponsor_did()
    current = credential_keys().signing.public_key()
    method = key_id(TEST_DID, current)
    assert document["verificationMethod"] == [
        {
            "id": method,
            "type": "Multikey",
            "controller": TEST_DID,
            "publicKeyMultibase": public_multibase(current),
        }
    ]
    assert document["assertionMethod"] == [method]
    assert "https://w3id.org/security/multikey/v1" in document["@context"]
    assert json.loads(client.get("/did.json").data) == document


def test_the_did_document_is_revalidated_by_etag(synced, client):
    first = client.get("/.well-known/did.json")

    again = client.get("/.well-known/did.json", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304


@pytest.fixture
def rotated(database_url, courses_dir, tmp_path):
    """Build an app on the same database (tables kept) with a new credential key."""
    apps = []

    def build(**settings):
        app = create_app(
            {
                **app_settings(),
                "SQLALCHEMY_DATABASE_URI": database_url,
                "COURSES_DIR": str(courses_dir),
                **settings,
            }
        )
        app.test_client_class = FreshRequestClient
        context = app.app_context()
        context.push()
        apps.append((app, context))
        return app

    yield build
    for _app, context in reversed(apps):
        db.session.remove()
        db.engine.dispose()
        context.pop()


def test_after_a_key_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(
    synced, client, rotated, tmp_path
):
    _, old_certificate, old_credential = issued(client, email="before@example.org")
    old_key = credential_keys().signing.public_key()
    old_number = old_certificate.number
    db.session.remove()
    new_key_file = sponsor_credential_key(tmp_path)

    app = rotated(
        CREDENTIAL_KEY=str(new_key_file), CREDENTIAL_PREVIOUS_KEYS=str(credential_key_file())
    )
    new_client = app.test_client()

    new_key = credential_keys().signing.public_key()
    assert public_multibase(new_key) != public_multibase(old_key)
    document = json.loads(new_client.get("/.well-known/did.json").data)
    keys = [m["publicKeyMultibase"] for m in document["verificationMethod"]]
    assert keys == [public_multibase(new_key), public_multibase(old_key)]  # newest first
    assert document["assertionMethod"] == [
        key_id(TEST_DID, new_key),
        key_id(TEST_DID, old_key),
    ]

    check = check_credential(old_credential)
    assert check.ok, check.problem
    assert check.certificate.number == old_number
    assert node_check(new_client, old_credential)["exit"] == 0
    assert upload_json(new_client, old_credential).status_code == 200

    _, _, new_credential = issued(new_client, email="after@example.org")
    assert new_credential["proof"][0]["verificationMethod"] == key_id(TEST_DID, new_key)
    assert check_credential(new_credential).ok
    assert node_check(new_client, new_credential)["exit"] == 0
    # The status list is signed with the new key now.
    status_list = served_status_list(new_client)
    assert status_list["proof"][0]["verificationMethod"] == key_id(TEST_DID, new_key)


def test_without_the_earlier_key_published_an_old_credential_no_longer_verifies(
    synced, client, rotated, tmp_path
):
    _, _, old_credential = issued(client)
    db.session.remove()

    app = rotated(CREDENTIAL_KEY=str(sponsor_credential_key(tmp_path)))

    check = check_credential(old_credential)
    assert not check.ok
    assert check.problem == (
        "The signature is not valid. It was signed with a key that is not the sponsor's."
    )
    assert node_check(app.test_client(), old_credential)["exit"] == 1


# --- status lists ----------------------------------------------------------------------


def test_revoking_sets_exactly_its_bit_and_the_list_is_signed_again(synced, client):
    _, kept, _ = issued(client, email="kept@example.org")
    _, revoked, _ = issued(synced.test_client(), email="revoked@example.org")
    before = served_status_list(client)
    assert set_slots(before) == set()
    assert slot_of(kept) != slot_of(revoked)

    revoke_certificate(revoked.number, REASON)
    after = served_status_list(client)

    assert set_slots(after) == {slot_of(revoked)}
    assert after["proof"] != before["proof"]
    proof = check_proof(after, sponsor_key, loader())
    assert proof.ok, proof.problem
    assert proof.verification_method == key_id(TEST_DID, credential_keys().signing.public_key())
    assert after["id"] == "http://127.0.0.1:5000/credentials/status/1"
    assert after["issuer"] == TEST_DID
    assert after["credentialSubject"]["statusPurpose"] == "revocation"


def test_a_changed_status_list_no_longer_verifies(synced, client):
    _, certificate, _ = issued(client)
    revoke_certificate(certificate.number, REASON)
    status_list = served_status_list(client)
    status_list["credentialSubject"]["encodedList"] = encode(set())  # the bit cleared

    assert not check_proof(status_list, sponsor_key, loader()).ok


def test_a_reissue_sets_the_old_editions_bit_not_the_new_ones(synced, client):
    _, old, _ = issued(client)
    old_slot = slot_of(old)
    new = reissue_certificate(old.number, full_name="New Name")

    status_list = served_status_list(client)

    assert set_slots(status_list) == {old_slot}
    assert slot_of(new) != old_slot
    assert check_proof(status_list, sponsor_key, loader()).ok


def test_an_unchanged_list_is_served_byte_for_byte_the_same(synced, client):
    issued(client)

    first, second = client.get("/credentials/status/1"), client.get("/credentials/status/1")

    assert first.data == second.data
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.mimetype == "application/vc+ld+json"


def test_there_is_no_status_list_before_any_certificate(synced, client):
    assert client.get("/credentials/status/1").status_code == 404


@pytest.mark.parametrize("list_number", [0, 2, 99999])
def test_a_status_list_not_in_use_is_not_found(synced, client, list_number):
    issued(client)

    response = client.get(f"/credentials/status/{list_number}")

    assert response.status_code == 404
    assert f"There is no status list {list_number}." in spoken_text_of(response)


# --- the command line ------------------------------------------------------------------


def verify_command(runner, path):
    return runner.invoke(args=["certificates", "verify", str(path)])


def test_verify_of_a_genuine_credential_file_exits_0(synced, client, runner, tmp_path):
    _, certificate, credential = issued(client)
    path = tmp_path / "open-badge.json"
    path.write_bytes(as_file(credential))

    result = verify_command(runner, path)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"GENUINE AND ACTIVE: {path}"
    assert "  Proof: yes. The signature is valid: the credential is unchanged." in lines
    assert f"  Record: yes. It matches our record of certificate {certificate.number}." in lines
    assert f"Certificate {certificate.number}: VALID" in result.output


def test_verify_of_a_tampered_credential_file_exits_1(synced, client, runner, tmp_path):
    _, _, credential = issued(client)
    credential["credentialSubject"]["creditsEarned"] = 40
    path = tmp_path / "open-badge.json"
    path.write_bytes(as_file(credential))

    result = verify_command(runner, path)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == f"NOT VALID: {path}"
    assert "  Proof: NO. The signature is not valid." in result.output


def test_verify_of_a_revoked_credential_file_exits_1(synced, client, runner, tmp_path):
    _, certificate, credential = issued(client)
    revoke_certificate(certificate.number, REASON)
    path = tmp_path / "open-badge.json"
    path.write_bytes(as_file(credential))

    result = verify_command(runner, path)

    assert result.exit_code == 1, result.output
    assert "NOT VALID" in result.output
    assert "  Proof: yes." in result.output
    assert f"  Status: NO. Revoked: {REASON}." in result.output


@pytest.mark.parametrize("data", [b"not json", b"[]", b"\xff\xfe"])
def test_verify_of_a_file_that_is_not_a_credential_exits_1(synced, runner, tmp_path, data):
    path = tmp_path / "thing.json"
    path.write_bytes(data)

    result = verify_command(runner, path)

    assert result.exit_code == 1, result.output
    assert f"NOT VALID: {path}" in result.output
    assert (
        "This file is neither a certificate PDF nor an Open Badge credential (JSON)."
        in result.output
    )


def test_verify_of_a_pdf_checks_the_credential_inside_it(synced, client, runner, tmp_path):
    page, certificate, _ = issued(client)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(client.get(download_link(page)).data)

    result = verify_command(runner, path)

    assert result.exit_code == 0, result.output
    assert f"AUTHENTIC AND UNCHANGED: {path}" in result.output
    assert "  Open Badge credential inside the file:" in result.output
    for label in ("Proof", "Issuer", "Status", "Record"):
        assert f"    {label}: yes." in result.output


@pytest.fixture
def bare_app(tmp_path, courses_dir):
    """An app with no credential key configured and a temporary instance folder (never the
    project's instance/): the development key lives under instance/credential/."""
    app = make_app(f"sqlite:///{tmp_path / 'bare.db'}", courses_dir, CREDENTIAL_KEY="")
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_init_credential_key_twice_keeps_the_earlier_key_published(bare_app, tmp_path):
    runner = bare_app.test_cli_runner()
    folder = tmp_path / "instance" / "credential"

    first = runner.invoke(args=["certificates", "init-credential-key"])
    second = runner.invoke(args=["certificates", "init-credential-key"])

    assert first.exit_code == 0, first.output
    assert f"Wrote key {folder / 'credential-key.pem'}" in first.output
    assert "Moved" not in first.output
    assert second.exit_code == 0, second.output
    assert f"Moved the earlier key to {folder / 'previous'}/credential-key-" in second.output
    assert "the DID document still publishes it" in second.output
    assert len(list((folder / "previous").glob("*.pem"))) == 1
    with bare_app.app_context():
        document = json.loads(bare_app.test_client().get("/.well-known/did.json").data)
        current = credential_keys().signing.public_key()
    assert len(document["verificationMethod"]) == 2
    assert document["verificationMethod"][0]["publicKeyMultibase"] == public_multibase(current)
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]


def test_a_certificate_issued_before_init_credential_key_still_verifies_after(
    bare_app, tmp_path, courses_dir
):
    runner = bare_app.test_cli_runner()
    with bare_app.app_context():
        sync_courses(courses_dir)
        client = bare_app.test_client()
        _, certificate, credential = issued(client)
        assert (tmp_path / "instance" / "credential" / "credential-key.pem").exists()

    assert runner.invoke(args=["certificates", "init-credential-key"]).exit_code == 0
    bare_app.extensions.pop("ceengine.credential_keys")  # as a restarted server reads them
    bare_app.extensions.pop("ceengine.status_lists", None)

    with bare_app.app_context():
        assert check_credential(credential).ok
        assert find_certificate(certificate.number) is not None
