"""Getting a certificate after a pass: details, preview, issue once, the same PDF every time."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from ceengine.certificates.edition import LearnerDetails
from ceengine.certificates.services import revoke_certificate
from ceengine.certificates.signing import check_signature
from ceengine.certificates.signing_key import signing_identity
from ceengine.certificates.tokens import certificate_token
from ceengine.completion import issuing as services
from ceengine.completion.issuing import issue_certificate
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.certificate_pdf import pdf_text
from tests.support.certificate_steps import (
    certificates,
    details_page,
    download_link,
    issue,
    submit_details,
    take_quiz,
)
from tests.support.html import form_in, text_of


def test_a_pass_leads_to_the_details_form_with_its_preview(synced, client):
    result = take_quiz(client, "demo-lesson")
    address, page = details_page(client, result)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"<label[^>]*>Full name", html) and re.search(r"<label[^>]*>Email", html)
    assert 'value="Issue certificate"' in html
    assert "License number" not in html  # the demo lesson does not ask for a license
    preview = submit_details(
        client, result, button="preview", full_name="Ana María Núñez", email="ana@example.org"
    )
    assert preview.status_code == 200
    text = text_of(preview)
    assert "This certifies that Ana María Núñez has successfully completed" in text
    assert "Demo Lesson on Kindness" in text and "Score 6 of 6 (100%)" in text
    assert certificates() == []  # a preview issues nothing


def test_a_failed_attempt_has_no_certificate(synced, client):
    result = take_quiz(client, "demo-lesson", passing=False)
    assert "Get my certificate" not in client.get(result).get_data(as_text=True)
    public_id = result.rsplit("/", 1)[-1]
    assert client.get(f"/attempts/{public_id}/certificate").status_code == 404


def test_another_learner_cannot_take_my_certificate(synced, client, app):
    public_id = take_quiz(client, "demo-lesson").rsplit("/", 1)[-1]
    stranger = app.test_client()
    assert stranger.get(f"/attempts/{public_id}/certificate").status_code == 404
    assert stranger.post(
        f"/attempts/{public_id}/certificate",
        data={"full_name": "Mallory", "email": "m@example.org"},
    ).status_code in (400, 404)
    assert certificates() == []


def test_issue_then_download_the_signed_pdf_with_every_field(synced, client):
    page = issue(client, full_name="Ana María Núñez", email="ana@example.org")
    assert page.status_code == 200
    assert "Download certificate (PDF)" in text_of(page)
    (certificate,) = certificates()
    response = client.get(download_link(page))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert certificate.filename in response.headers["Content-Disposition"]
    pdf = response.data
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    text = pdf_text(pdf)
    for printed in (
        "Ana María Núñez",
        "Demo Lesson on Kindness",
        "Ada Example, PhD, LCSW",
        "1 hour ",  # no approval in the fixture courses: a Certificate of Completion
        "This course carries no accredited continuing education credit.",
        "Self-paced online (home study)",
        "Score 6 of 6 (100%)",
        certificate.number,
        "Compassion CE Institute",
        "ce@compassion.test",
        "Dana Reyes, PhD, CE Administrator",
        f"http://127.0.0.1:5000/verify/{certificate.number}",
    ):
        assert printed in text, printed
    assert check_signature(pdf, signing_identity()).ok


def test_every_download_returns_the_bytes_stored_at_issue(synced, client, app):
    page = issue(client)
    first = client.get(download_link(page)).data
    app.config["SPONSOR_NAME"] = "A Renamed Sponsor"  # a later change of settings or template
    assert client.get(download_link(page)).data == first


def test_a_double_click_or_a_second_tab_issues_one_certificate(synced, client):
    result = take_quiz(client, "demo-lesson")
    address, page = details_page(client, result)
    first = submit_details(client, result, full_name="Ana Núñez", email="ana@example.org")
    other_tab = form_in(page.get_data(as_text=True), "full_name")
    second = client.post(
        address,
        data={
            **other_tab.hidden,
            "full_name": "Someone Else",
            "email": "x@example.org",
            "attest": "y",
            "issue": "Issue certificate",
        },
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(certificates()) == 1
    assert certificates()[0].full_name == "Ana Núñez"


def test_the_database_keeps_one_certificate_when_two_requests_race(synced, client, monkeypatch):
    public_id = take_quiz(client, "demo-lesson").rsplit("/", 1)[-1]
    attempt = db.session.query(Attempt).filter_by(public_id=public_id).one()
    details = LearnerDetails("Ana Núñez", "ana@example.org")
    winner, created = issue_certificate(attempt, attempt.learner, details)
    assert created
    # The twin request checked for a certificate before the winner committed.
    real = services.latest_certificate
    calls = iter([None])
    monkeypatch.setattr(services, "latest_certificate", lambda a: next(calls, None) or real(a))
    twin, created = issue_certificate(attempt, attempt.learner, details)
    assert not created and twin.id == winner.id
    assert len(certificates()) == 1


@pytest.mark.parametrize(
    "details, message",
    [
        ({"full_name": "", "email": "ana@example.org"}, "Enter your full name."),
        ({"full_name": "   ", "email": "ana@example.org"}, "Enter your full name."),
        ({"full_name": "Ana", "email": "not-an-address"}, "Enter an email address like"),
        ({"full_name": "Ana\u202eevil", "email": "ana@example.org"}, "only printable characters"),
        ({"full_name": "A" * 121, "email": "ana@example.org"}, "under 120 characters"),
    ],
)
def test_bad_details_get_a_clear_message_and_keep_what_was_typed(synced, client, details, message):
    result = take_quiz(client, "demo-lesson")
    response = submit_details(client, result, **details)
    assert response.status_code == 422
    assert message in text_of(response)
    if details["email"]:
        assert f'value="{details["email"]}"' in response.get_data(as_text=True)
    assert certificates() == []


def test_a_course_that_requires_a_license_asks_for_it(synced, client):
    result = take_quiz(client, "demo-modules")
    address, page = details_page(client, result)
    html = page.get_data(as_text=True)
    assert "License number" in html and 'value="Issue certificate"' in html
    response = submit_details(client, result, full_name="Ben", email="ben@example.org")
    assert response.status_code == 422
    assert "Enter your license number." in text_of(response)


def test_without_stripe_keys_every_certificate_is_free(synced, client):
    result = take_quiz(client, "demo-modules")  # the course's file asks for $15
    _, page = details_page(client, result)
    assert "payment" not in text_of(page).lower() and "$15" not in text_of(page)
    response = submit_details(
        client,
        result,
        full_name="Ben Okafor",
        email="ben@example.org",
        profession="Registered Nurse",
        license_type="RN",
        license_number="RN-55",
        license_state="Oregon",
    )
    assert response.status_code == 303
    assert len(certificates()) == 1


def test_license_details_are_printed_under_the_name(synced, client, courses_dir):
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(course.read_text() + "certificate:\n  license_details: optional\n")
    from ceengine.courses.services import sync_courses

    sync_courses(courses_dir)
    page = issue(
        client,
        profession="Licensed Clinical Social Worker",
        license_type="LCSW",
        license_number="LCS 12345",
        license_state="California",
    )
    text = pdf_text(client.get(download_link(page)).data)
    assert "Licensed Clinical Social Worker · License LCSW LCS 12345 (California)" in text


def test_names_in_any_script_are_issued(synced, client):
    names = ["Zoë Ångström-Øvergaard", "王小明", "김민준", "محمد الأحمد", "דוד כהן"]
    for name in names:
        page = issue(client, full_name=name)
        assert page.status_code == 200
    stored = [c.full_name for c in certificates()]
    assert stored == names


def test_details_are_offered_again_for_the_next_certificate(synced, client):
    issue(client, full_name="Ana Núñez", email="ana@example.org")
    result = take_quiz(client, "demo-lesson")
    _, page = details_page(client, result)
    html = page.get_data(as_text=True)
    assert 'value="Ana Núñez"' in html and 'value="ana@example.org"' in html


def test_a_guessed_or_altered_download_address_is_a_404(synced, client, app):
    page = issue(client)
    link = download_link(page)
    token = link.split("/")[2]
    (certificate,) = certificates()
    assert client.get(link.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(f"/certificates/{certificate.number}/pdf").status_code == 404
    assert (
        client.get(f"/certificates/{certificate_token('ABCD-EFGH-JKMN-P')}/pdf").status_code == 404
    )


def test_the_download_is_private_and_revalidates(synced, client):
    page = issue(client)
    response = client.get(download_link(page))
    assert "private" in response.headers["Cache-Control"]
    again = client.get(download_link(page), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == response.headers["ETag"]
    assert again.headers["Cache-Control"] == response.headers["Cache-Control"]
    other = client.get(download_link(page), headers={"If-None-Match": '"another-version"'})
    assert other.status_code == 200 and other.data == response.data


def test_a_revoked_certificate_is_gone_even_for_a_cached_copy(synced, client):
    page = issue(client)
    etag = client.get(download_link(page)).headers["ETag"]
    (certificate,) = certificates()
    revoke_certificate(certificate.number, "Issued in error")
    again = client.get(download_link(page), headers={"If-None-Match": etag})
    assert again.status_code == 410


def test_a4_paper_by_configuration(synced, client, app):
    app.config["CERTIFICATE_PAPER"] = "a4"
    page = issue(client)
    box = PdfReader(io.BytesIO(client.get(download_link(page)).data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_the_signing_key_is_loaded_once(synced):
    assert signing_identity() is signing_identity()
