"""Checking a revoked certificate's PDF on the Verify page, in Chromium: the status leads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import g

from ceengine.certificates.services import revoke_certificate
from tests.browser.support.pages import assert_accessible, screenshot
from tests.support.certificate_steps import certificates, download_link, issue

pytestmark = pytest.mark.browser


def revoked_pdf(app, reason: str) -> bytes:
    """Issue a certificate through the site, download its PDF, then revoke it.

    Run in a thread: Playwright's event loop owns this one, and signing uses asyncio.run().
    """

    def steps() -> bytes:
        with app.app_context():
            g.pop("csrf_token", None)
            client = app.test_client()
            page = issue(client, full_name="Revoked Person", email="revoked@example.org")
            pdf = client.get(download_link(page)).data
            revoke_certificate(certificates()[-1].number, reason)
            return pdf

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(steps).result()


def test_an_uploaded_revoked_certificate_leads_with_revoked_not_green(
    live_server, desktop_page, tmp_path
):
    page, base = desktop_page, live_server.url
    path = tmp_path / "revoked.pdf"
    path.write_bytes(revoked_pdf(live_server.app, "Issued in error"))

    page.goto(f"{base}/verify")
    page.get_by_label("Certificate file (PDF or Open Badge JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()

    statuses = page.locator("main .status")
    assert statuses.first.inner_text().startswith("Revoked on")
    assert "Issued in error" in statuses.first.inner_text()
    assert (
        statuses.nth(1)
        .inner_text()
        .startswith("The file is authentic and unchanged, but this certificate is no longer valid")
    )
    assert page.locator(".status-valid").count() == 0
    assert_accessible(page)
    screenshot(page, "verify-revoked-file")
