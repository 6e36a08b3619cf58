"""A superseded certificate's page, seen by whoever holds its (old) link.

A reissue to a corrected email address must not hand the new certificate to the holder of
the old, mistyped address's link: the old page says Superseded and nothing more. The public
verification page by number keeps pointing from the old number to the new one (that is what
a licensing board follows), without the email or the PDF.
"""

from __future__ import annotations

import re

import pytest

from ceengine.certificates.tokens import certificate_token
from tests.support.admin_steps import admin_client, post_action
from tests.support.certificate_steps import certificates, download_link, issue
from tests.support.html import text_of

MISTYPED, CORRECTED = "ana@exmaple.org", "ana.nunez@example.org"


pytestmark = pytest.mark.usefixtures("quick_hashes")


@pytest.fixture
def reissued(synced, client):
    """Ana's certificate, issued to a mistyped address and reissued by an admin to the right one."""
    page = issue(client, email=MISTYPED)
    (old,) = certificates()
    old_number, old_page, old_pdf = old.number, page.request.path, download_link(page)
    response = post_action(
        admin_client(synced),
        f"/admin/certificates/{old_number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name=old.full_name,
        email=CORRECTED,
        confirm="y",
    )
    assert response.status_code == 303
    new = certificates()[-1]
    assert (new.email, new.number != old_number) == (CORRECTED, True)
    return {
        "old_number": old_number,
        "old_page": old_page,
        "old_pdf": old_pdf,
        "new_number": new.number,
        "new_token": certificate_token(new.number),
    }


def test_the_old_link_says_superseded_and_nothing_of_the_new_certificate(reissued, synced):
    holder = synced.test_client()  # whoever has the old email's link

    page = holder.get(reissued["old_page"])

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Superseded" in text_of(page)
    assert reissued["new_token"] not in html
    assert reissued["new_number"] not in html
    assert CORRECTED not in html
    links = re.findall(r'href="(/certificates/[^"]+)"', html)
    assert all(link.startswith(reissued["old_page"]) for link in links), links
    assert holder.get(reissued["old_pdf"]).status_code == 410


def test_the_public_verify_page_points_to_the_new_number_without_email_or_pdf(reissued, synced):
    visitor = synced.test_client()

    page = visitor.get(f"/verify/{reissued['old_number']}")

    html = page.get_data(as_text=True)
    assert f"Superseded by certificate {reissued['new_number']}" in text_of(page)
    assert CORRECTED not in html and MISTYPED not in html
    assert reissued["new_token"] not in html
    new_page = visitor.get(f"/verify/{reissued['new_number']}").get_data(as_text=True)
    assert CORRECTED not in new_page and reissued["new_token"] not in new_page
    assert "/pdf" not in new_page
