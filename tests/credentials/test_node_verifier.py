"""The Node checker itself: what Digital Bazaar's own issuer signs (make_sample.mjs) it
accepts, and it tells tampering, a wrong key, a missing proof and a revoked bit apart."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest

from tests.support.node_verifier import ROOT, node_verify, require_node_verifier

STATUS_URL = "https://example.test/credentials/status/1"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    require_node_verifier()
    folder = tmp_path_factory.mktemp("sample")
    subprocess.run(
        ["node", "tests/credentials/make_sample.mjs", str(folder)],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}


def test_a_genuine_credential_verifies_and_is_not_revoked(sample):
    answer = node_verify(sample["credential"], sample["did"], {STATUS_URL: sample["status"]})
    assert answer == {
        "verified": True,
        "proofVerified": True,
        "revoked": False,
        "errors": [],
        "exit": 0,
    }


def test_a_changed_field_breaks_the_signature(sample):
    changed = copy.deepcopy(sample["credential"])
    changed["credentialSubject"]["achievement"]["name"] = "Another Course"
    answer = node_verify(changed, sample["did"], {STATUS_URL: sample["status"]})
    assert (answer["verified"], answer["exit"]) == (False, 1)
    assert answer["errors"] == ["Invalid signature."]


def test_another_key_under_the_same_id_does_not_verify(sample):
    answer = node_verify(sample["credential"], sample["other-did"], {STATUS_URL: sample["status"]})
    assert (answer["verified"], answer["exit"]) == (False, 1)
    assert answer["errors"] == ["Invalid signature."]


def test_a_key_the_did_document_does_not_list_for_assertion_is_refused(sample):
    did = copy.deepcopy(sample["did"])
    did["assertionMethod"] = []
    answer = node_verify(sample["credential"], did, {STATUS_URL: sample["status"]})
    assert answer["exit"] == 1
    assert "not authorized by controller" in answer["errors"][0]


def test_a_credential_without_its_proof_does_not_verify(sample):
    bare = {key: value for key, value in sample["credential"].items() if key != "proof"}
    answer = node_verify(bare, sample["did"], {STATUS_URL: sample["status"]})
    assert answer["exit"] == 1
    assert answer["errors"] == ["No matching proofs found in the given document."]


def test_a_revoked_credential_is_genuine_but_revoked(sample):
    answer = node_verify(sample["revoked"], sample["did"], {STATUS_URL: sample["status"]})
    assert (answer["verified"], answer["proofVerified"], answer["revoked"]) == (True, True, True)
    assert answer["exit"] == 1
    assert answer["errors"] == [f"revoked: bit 7 is set in {STATUS_URL}"]


def test_a_tampered_status_list_fails_the_status_check(sample):
    status = copy.deepcopy(sample["status"])
    status["credentialSubject"]["encodedList"] = status["credentialSubject"]["encodedList"][:-1]
    answer = node_verify(sample["credential"], sample["did"], {STATUS_URL: status})
    assert (answer["verified"], answer["proofVerified"], answer["revoked"]) == (False, True, None)
    assert any(error.startswith("status: ") for error in answer["errors"])


def test_the_status_list_credential_verifies_on_its_own(sample):
    answer = node_verify(sample["status"], sample["did"])
    assert (answer["verified"], answer["revoked"], answer["exit"]) == (True, None, 0)


def test_an_issuer_other_than_the_keys_controller_is_refused(sample):
    answer = node_verify(sample["foreign-issuer"], sample["did"], {STATUS_URL: sample["status"]})
    assert answer["exit"] == 1
    assert answer["errors"] == ["Credential issuer must match the verification method controller."]


def test_nothing_is_fetched_from_the_network(sample):
    answer = node_verify(sample["credential"], sample["did"])
    assert answer["exit"] == 1
    assert "refusing to load " + STATUS_URL in answer["errors"][0]
