"""The Open Badge credential in Chromium, end to end: a learner downloads it from the
certificate page, Digital Bazaar's Node libraries accept it given only what the live site
publishes, the Verify page says Genuine and active; an admin revokes the certificate in the
console, and the status list the site then serves makes the same credential revoked."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support.admin_steps import (
    ensure_admin,
    fact,
    issue_certificate,
    new_page,
    pass_quiz,
    runs_axe,
    sign_in,
)
from tests.browser.support.pages import assert_accessible, screenshot
from tests.support.node_verifier import node_verify, require_node_verifier

pytestmark = pytest.mark.browser

REASON = "Completed by someone else"


def fetched(page, url: str) -> dict:
    """A JSON document from the live site, fetched as any verifier would (no cookies)."""
    response = page.request.get(url)
    assert response.status == 200, f"{url}: {response.status}"
    return json.loads(response.body())


def published(page, base: str, credential: dict) -> dict:
    """What the live site publishes for this credential: DID document, status list, context."""
    status_url = credential["credentialStatus"]["statusListCredential"]
    context_url = credential["@context"][2]
    assert status_url.startswith(base) and context_url.startswith(base)
    return {
        "did_document": fetched(page, f"{base}/.well-known/did.json"),
        "status_lists": {status_url: fetched(page, status_url)},
        "contexts": {context_url: fetched(page, context_url)},
    }


def check_file(page, base: str, path) -> None:
    """Upload a file on the Verify page, as a board member would."""
    page.goto(f"{base}/verify")
    page.get_by_label("Certificate file (PDF or Open Badge JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()


def test_download_verify_and_revoke_an_open_badge(live_server, browser, tmp_path):
    require_node_verifier()
    base = live_server.url
    port = urlsplit(base).port
    ensure_admin(live_server.app)

    # A learner passes, gets the certificate and downloads its Open Badge.
    learner = new_page(browser)
    pass_quiz(learner, base, "demo-lesson")
    learner.get_by_role("link", name="Get my certificate").click()
    number = issue_certificate(learner, "Amara Okafor-Lindqvist", f"amara{port}@example.org")
    badge_link = learner.get_by_role("link", name="Download Open Badge (JSON)")
    expect(badge_link).to_be_visible()
    with learner.expect_download() as download_info:
        badge_link.click()
    download = download_info.value
    assert download.suggested_filename == f"open-badge-{number}.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    credential = json.loads(path.read_text(encoding="utf-8"))
    assert credential["credentialSubject"]["certificateNumber"] == number
    assert credential["issuer"]["id"] == f"did:web:127.0.0.1%3A{port}"
    screenshot(learner, "open-badge-certificate-page")
    learner.context.close()

    # Digital Bazaar's libraries accept it, given only what the site publishes.
    board = new_page(browser)  # a board member, who fetches and checks
    answer = node_verify(credential, **published(board, base, credential))
    assert answer == {
        "verified": True,
        "proofVerified": True,
        "revoked": False,
        "errors": [],
        "exit": 0,
    }

    # The board member checks the file on the Verify page too.
    check_file(board, base, path)
    expect(board.get_by_text("Genuine and active", exact=True)).to_be_visible()
    findings = board.locator("ul.findings li")
    expect(findings).to_have_count(4)
    for label in ("Proof", "Issuer", "Status", "Record"):
        expect(findings.filter(has_text=f"{label}: yes")).to_have_count(1)
    expect(board.locator(".finding-bad")).to_have_count(0)
    if runs_axe(live_server):
        assert_accessible(board)
    screenshot(board, "verify-open-badge-genuine")

    # An admin revokes the certificate in the console.
    admin = new_page(browser)
    sign_in(admin, base, f"/admin/certificates/{number}")
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Certificate {number}")
    revoke = admin.locator("form").filter(has=admin.get_by_role("heading", name="Revoke"))
    revoke.get_by_label("Reason").fill(REASON)
    revoke.get_by_role(
        "checkbox", name="I understand that revoking cannot be undone", exact=True
    ).check()
    revoke.get_by_role("button", name="Revoke certificate").click()
    expect(admin.get_by_text(f"Certificate {number} is revoked.")).to_be_visible()
    assert fact(admin, "Status") == f"Revoked: {REASON}"
    admin.context.close()

    # The status list the site serves now marks the same credential revoked.
    answer = node_verify(credential, **published(board, base, credential))
    assert (answer["revoked"], answer["exit"]) == (True, 1)
    assert answer["proofVerified"] is True

    # And the Verify page says so.
    check_file(board, base, path)
    expect(board.get_by_text("Genuine, but no longer valid", exact=True)).to_be_visible()
    expect(board.get_by_text("Genuine and active", exact=True)).to_have_count(0)
    expect(board.locator(".finding-bad").filter(has_text="Status: no")).to_have_count(1)
    expect(board.locator(".status-valid")).to_have_count(0)
    screenshot(board, "verify-open-badge-revoked")

    # A script asking by number, from another site, hears the same.
    response = board.request.get(
        f"{base}/verify/{number}.json", headers={"Origin": "https://board.example"}
    )
    assert response.status == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = json.loads(response.body())
    assert (body["status"], body["valid"], body["revoked"]["reason"]) == (
        "revoked",
        False,
        REASON,
    )
    board.context.close()
