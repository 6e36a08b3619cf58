"""Dates are the sponsor's days (CEENGINE_TIMEZONE), not UTC's.

A clinician in California who finishes at 5 pm on December 31 finished on December 31,
though it is already 01:00 on January 1 in UTC: the certificate, the verify page, My
certificates, the result page, the admin reports and the roster all say so. Stored moments
stay UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from ceengine.admin.recount import recount_totals
from tests.support.admin_steps import admin_client
from tests.support.app import browser
from tests.support.certificate_pdf import pdf_text
from tests.support.certificate_steps import certificates, download_link, issue
from tests.support.factories import attempt_with, certificate_row
from tests.support.html import form_in, spoken_text_of, text_of
from tests.support.mail_steps import links_in, outbox
from tests.support.reports import LESSON, csv_records, page, results_rows

ZONE = "America/Los_Angeles"
# 17:00 on December 31 in California (PST, UTC-8) is 01:00 on January 1 in UTC.
FIVE_PM_NEW_YEARS_EVE = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
# 23:30 on December 31 in California: 07:30 on January 1 in UTC.
HALF_PAST_ELEVEN = datetime(2027, 1, 1, 7, 30, tzinfo=UTC)
ALL_RIGHT = [True] * 6


@pytest.fixture
def california(app_with):
    """The app of a sponsor in California, with the fixture courses loaded."""
    return app_with(TIMEZONE=ZONE)


@pytest.fixture
def at_five_pm(monkeypatch):
    """The quiz is scored at 17:00 local on December 31 (01:00 UTC on January 1)."""
    monkeypatch.setattr("ceengine.quizzes.services.utcnow", lambda: FIVE_PM_NEW_YEARS_EVE)


def test_finishing_at_5_pm_on_new_years_eve_is_dated_december_31(california, at_five_pm):
    client = california.test_client()
    certificate_page = issue(client)
    (certificate,) = certificates()
    pdf = client.get(download_link(certificate_page)).data
    verify = spoken_text_of(california.test_client().get(f"/verify/{certificate.number}"))
    result = text_of(client.get(f"/attempts/{certificate.attempt.public_id}"))

    assert "December 31, 2026" in pdf_text(pdf)
    assert "January 1, 2027" not in pdf_text(pdf)
    assert "Completed December 31, 2026" in verify
    assert "Completed December 31, 2026" in text_of(certificate_page)
    assert "Taken December 31, 2026 at 5:00 pm PST" in result
    # stored as the moment it was, in UTC
    completed = certificate.completed_at
    assert completed.replace(tzinfo=completed.tzinfo or UTC) == FIVE_PM_NEW_YEARS_EVE


def test_my_certificates_lists_the_local_completion_date(california, at_five_pm):
    issue(california.test_client(), email="ana@example.org")
    visitor = browser(california)
    ask = form_in(visitor.get("/my-certificates").get_data(as_text=True), "email")
    visitor.post(ask.action, data={**ask.hidden, **ask.submits, "email": "ana@example.org"})
    (link,) = links_in(outbox(california)[-1].body)
    opening = form_in(visitor.get(urlsplit(link).path).get_data(as_text=True), "csrf_token")
    visitor.post(opening.action, data={**opening.hidden, **opening.submits})

    transcript = text_of(visitor.get("/my-certificates"))

    assert "Certificates issued to ana@example.org" in transcript
    assert "December 31, 2026" in transcript
    assert "January 1, 2027" not in transcript


def test_the_admin_filter_for_a_local_day_includes_a_result_at_half_past_eleven(
    california, quick_hashes, monkeypatch
):
    monkeypatch.setattr("ceengine.quizzes.services.utcnow", lambda: HALF_PAST_ELEVEN)
    attempt = attempt_with("demo-lesson", ALL_RIGHT)
    certificate = certificate_row(attempt, issued_at=HALF_PAST_ELEVEN + timedelta(minutes=15))
    admin = admin_client(california)

    # as counted when it was scored, then as `ceengine admin recount` rebuilds the totals
    for _ in ("counted", "recounted"):
        new_years_eve = page(admin, "/admin/results?start=2026-12-31&end=2026-12-31")
        assert [row[0] for row in results_rows(new_years_eve)] == [LESSON]
        assert "No attempts match." in text_of(page(admin, "/admin/results?start=2027-01-01"))
        recount_totals()

    (row,) = csv_records(admin.get("/admin/exports/roster.csv?start=2026-12-31&end=2026-12-31"))
    assert (row["completion_date"], row["issued_date"]) == ("2026-12-31", "2026-12-31")
    assert csv_records(admin.get("/admin/exports/roster.csv?start=2027-01-01")) == []
    assert "Dates are inclusive: days in America/Los_Angeles." in text_of(
        page(admin, "/admin/results")
    )
    listed = text_of(page(admin, "/admin/certificates?start=2026-12-31&end=2026-12-31"))
    assert certificate.number in listed and "31 Dec 2026" in listed
    assert certificate.number not in text_of(page(admin, "/admin/certificates?start=2027-01-01"))
    record = spoken_text_of(page(admin, f"/admin/certificates/{certificate.number}"))
    assert "Issued 31 Dec 2026 11:45 pm PST" in record
