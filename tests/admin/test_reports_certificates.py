"""Finding, revoking and reissuing certificates in the admin console, a page at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID
from ceengine.extensions import db
from tests.support.admin_steps import post_action
from tests.support.certificate_steps import certificates
from tests.support.factories import attempt_with, certificate_row
from tests.support.html import flashes_in, html_of, table_with, text_of
from tests.support.mail_steps import outbox
from tests.support.reports import MODULES, body_rows, page

KIM_LICENSE = {
    "profession": "Nurse",
    "license_type": "RN",
    "license_number": "RN-1",
    "license_state": "OR",
}

# --- certificates ----------------------------------------------------------------------------


@pytest.fixture
def issued(synced):
    """Certificates for Ana (the lesson) and, issued later, for Kim (the modules)."""
    certificate_row(
        attempt_with("demo-lesson", [True] * 6),
        full_name="Ana María Núñez",
        email="Ana.Nunez@Example.org",
        issued_at=datetime.now(UTC) - timedelta(1),
    )
    certificate_row(
        attempt_with("demo-modules", [True] * 3),
        full_name="Kim Lee",
        email="kim@example.org",
        profession="Nurse",
        license_type="RN",
        license_number="RN-1",
        license_state="OR",
    )
    ana, kim = certificates()
    return {"ana": ana, "kim": kim}


def listed(client, query: str) -> list[str]:
    """The certificate numbers the certificates list shows for a query string."""
    response = page(client, f"/admin/certificates?{query}")
    if "No certificates match." in text_of(response):
        return []
    return [row[0] for row in body_rows(table_with(response, "Certificates, newest first"))]


def test_certificates_are_found_by_number_name_or_email(issued, admin):
    number = issued["ana"].number
    searches = {
        f"q={number}": ["ana"],
        f"q={number.lower().replace('-', '')}": ["ana"],  # typed loosely
        f"q=+{number.replace('-', '+')}+": ["ana"],
        "q=Mar%C3%ADa": ["ana"],
        "q=n%C3%BA%C3%B1ez": ["ana"],
        "q=lee": ["kim"],
        "q=LEE": ["kim"],
        "q=ana.nunez%40example": ["ana"],
        "q=EXAMPLE.ORG": ["kim", "ana"],  # newest first
        "q=%25": [],
        "q=_": [],
        "q=%5C": [],  # %, _ and \ are plain characters
        "q=nobody-here": [],
    }

    for query, who in searches.items():
        assert listed(admin, query) == [issued[w].number for w in who], query
    assert "No certificates match." in text_of(page(admin, "/admin/certificates?q=nobody"))


def test_the_name_search_ignores_case_in_accented_letters(issued, admin):
    assert listed(admin, "q=N%C3%9A%C3%91EZ") == [issued["ana"].number]


def test_the_status_filter_lists_certificates_by_status(issued, admin):
    post_action(
        admin,
        f"/admin/certificates/{issued['kim'].number}/revoke",
        reason="Issued in error",
        confirm="y",
    )

    assert listed(admin, "status=revoked") == [issued["kim"].number]
    assert listed(admin, "status=valid") == [issued["ana"].number]


def test_a_certificate_page_shows_what_was_printed(issued, admin):
    kim = issued["kim"]

    facts = text_of(page(admin, f"/admin/certificates/{kim.number.lower()}"))

    assert f"Certificate {kim.number}" in facts
    for fact in (
        "Status Valid",
        "Name Kim Lee",
        "Email kim@example.org",
        "License Nurse, RN, RN-1, OR",
        f"Course {MODULES}",
        "CE hours 0.5",
    ):
        assert fact in facts
    assert admin.get("/admin/certificates/7KQ2-M9XD-4HTR-V").status_code == 404


REASON = "Issued in error: the learner retook the quiz"


def test_revoking_needs_a_reason_and_the_ticked_box(issued, admin):
    number = issued["ana"].number

    unticked = post_action(admin, f"/admin/certificates/{number}/revoke", reason=REASON)
    no_reason = post_action(admin, f"/admin/certificates/{number}/revoke", reason="  ", confirm="y")

    assert unticked.status_code == 422
    assert "Tick the box to confirm the revocation." in text_of(unticked)
    assert no_reason.status_code == 422
    assert "Give a reason for revoking." in text_of(no_reason)
    db.session.expire_all()
    assert issued["ana"].status == VALID
    assert "Valid" in text_of(synced_verify(admin, number))


def synced_verify(client, number: str):
    """The public verification page of a certificate."""
    response = client.get(f"/verify/{number}")
    assert response.status_code == 200
    return response


def test_revoking_with_the_box_ticked_shows_revoked_with_the_reason(issued, admin):
    number = issued["ana"].number

    response = post_action(
        admin, f"/admin/certificates/{number}/revoke", reason=REASON, confirm="y"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/certificates/{number}"
    after = admin.get(response.headers["Location"])
    assert f"Certificate {number} is revoked." in flashes_in(after)
    assert f"Status Revoked: {REASON}" in text_of(after)
    assert "Reissue with corrections" not in text_of(after)  # no forms on a revoked one
    db.session.expire_all()
    assert issued["ana"].status == REVOKED
    public = text_of(synced_verify(admin, number))
    assert "Revoked" in public and REASON in public


def test_reissuing_with_a_corrected_name_supersedes_and_emails_the_new_link(issued, admin, synced):
    old = issued["ana"]
    sent_before = len(outbox(synced))

    response = post_action(
        admin,
        f"/admin/certificates/{old.number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name="Ana María Núñez-Ortiz",
        email=old.email,
        confirm="y",
    )

    assert response.status_code == 303
    new = certificates()[-1]
    assert new.number != old.number
    assert response.headers["Location"] == f"/admin/certificates/{new.number}"
    assert (
        f"Reissued as {new.number}; {old.number} now shows Superseded. The new link was "
        f"emailed to {new.email}. The email says what changed and why."
    ) in flashes_in(admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert (old.status, old.superseded_by_id) == (SUPERSEDED, new.id)
    assert (new.status, new.full_name, new.edition) == (VALID, "Ana María Núñez-Ortiz", 2)
    assert "Superseded" in text_of(synced_verify(admin, old.number))
    assert new.number in text_of(synced_verify(admin, old.number))
    assert f"Replaced by {new.number}" in text_of(page(admin, f"/admin/certificates/{old.number}"))
    assert len(outbox(synced)) == sent_before + 1
    email = outbox(synced)[-1]
    assert new.email.lower() == old.email.lower()  # the same address (domain lower-cased)
    assert email.to == [new.email]
    assert f"Certificate number: {new.number}" in email.body
    assert "Ana María Núñez-Ortiz" in email.body


def test_a_superseded_or_revoked_certificate_offers_no_forms_and_refuses_changes(issued, admin):
    old = issued["kim"]
    post_action(
        admin,
        f"/admin/certificates/{old.number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name="Kim Lee-Park",
        email=old.email,
        **KIM_LICENSE,
        confirm="y",
    )

    shown = page(admin, f"/admin/certificates/{old.number}")
    # From a tab opened before the reissue: 409, the page as it is now, nothing changed.
    again = post_action(
        admin,
        f"/admin/certificates/{old.number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name="Kim Lee-Park",
        email=old.email,
        **KIM_LICENSE,
        confirm="y",
    )
    revoke = post_action(
        admin, f"/admin/certificates/{old.number}/revoke", reason=REASON, confirm="y"
    )

    assert "Status Superseded" in text_of(shown)
    assert "Reissue with corrections" not in text_of(shown) and "Revoke" not in text_of(shown)
    for refused in (again, revoke):
        assert refused.status_code == 409
        assert flashes_in(refused) == [
            f"Certificate {old.number} is superseded: nothing was changed."
        ]
    assert len(certificates()) == 3  # Ana's, Kim's, and the one reissue
    db.session.expire_all()
    assert old.status == SUPERSEDED and old.revoked_reason is None


def test_reissuing_needs_the_ticked_box_and_an_email_address(issued, admin, synced):
    old = issued["ana"]
    sent_before = len(outbox(synced))

    unticked = post_action(
        admin,
        f"/admin/certificates/{old.number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name="Someone Else",
        email=old.email,
    )
    bad_address = post_action(
        admin,
        f"/admin/certificates/{old.number}/reissue",
        reason="Corrected at the learner's request",
        email_learner="y",
        full_name="Ana Núñez",
        email="ana at example",
        confirm="y",
    )

    assert unticked.status_code == 422
    assert "Tick the box to confirm the reissue." in text_of(unticked)
    assert 'value="Someone Else"' in html_of(unticked)  # what was typed is kept
    assert bad_address.status_code == 422
    assert "Enter an email address like name@example.org." in text_of(bad_address)
    assert len(certificates()) == 2 and len(outbox(synced)) == sent_before
    db.session.expire_all()
    assert old.status == VALID


# --- paging --------------------------------------------------------------------------------


def test_more_than_25_certificates_are_listed_a_page_at_a_time(synced, admin):
    attempt = attempt_with("demo-lesson", [True] * 6)
    start = datetime(2024, 6, 1, tzinfo=UTC)
    made = [
        certificate_row(
            attempt, full_name=f"Pat Page {n}", edition=n, issued_at=start + timedelta(minutes=n)
        )
        for n in range(1, 28)
    ]
    certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Someone Else")
    newest_first = [c.number for c in reversed(made)]

    first = page(admin, "/admin/certificates?q=Pat+Page")
    next_link = re.search(r'<a href="([^"]+)">Next page</a>', html_of(first))
    assert next_link, "no Next page link"
    assert "Previous page" not in text_of(first)
    second = page(admin, next_link.group(1).replace("&amp;", "&"))

    first_rows = body_rows(table_with(first, "Certificates, newest first"))
    second_rows = body_rows(table_with(second, "Certificates, newest first"))
    assert len(first_rows) == 25 and len(second_rows) == 2
    assert [r[0] for r in first_rows + second_rows] == newest_first
    assert "q=Pat+Page" in next_link.group(1) or "q=Pat%20Page" in next_link.group(1)
    assert "Next page" not in text_of(second)
    assert re.search(r'<a href="[^"]*page=1[^"]*">Previous page</a>', html_of(second))
    assert "Page 2" in text_of(second)


def test_a_page_beyond_the_last_is_empty_not_an_error(synced, admin):
    certificate_row(attempt_with("demo-lesson", [True] * 6))

    assert "No certificates match." in text_of(page(admin, "/admin/certificates?page=9"))
    assert page(admin, "/admin/certificates?page=-3").status_code == 200
    assert page(admin, "/admin/certificates?page=abc").status_code == 200
