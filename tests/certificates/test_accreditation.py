"""Accreditation as data: the sponsor's approvals in courses/sponsor.yaml, the credit each
course claims, and what the course page, the catalog, the details form and the certificate
say because of them."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader

from ceengine import create_app
from ceengine.certificates.services import reissue_certificate
from ceengine.courses.format import read_library
from ceengine.courses.problems import CourseFormatError
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.admin_steps import admin_client
from tests.support.app import production_environment
from tests.support.certificate_pdf import pdf_text
from tests.support.certificate_steps import (
    certificates,
    details_page,
    download_link,
    issue,
    submit_details,
    take_quiz,
)
from tests.support.html import text_of

TODAY = date.today()
LATER = TODAY + timedelta(days=900)

SPONSOR = f"""\
attestation: I did this course on my own, post-test included.
approvals:
  - id: apa
    body: apa
    provider: Compassion CE Institute
  - id: aswb
    body: aswb-ace
    number: "1234"
    approved_from: 2025-03-01
    approved_until: {LATER.isoformat()}
    requires: [license_number, license_state]
  - id: nbcc
    body: nbcc
    number: "6789"
"""

CLAIMS = """\
credit:
  - approval: apa
  - approval: aswb
    hours: 1
    type: clinical
not_approved_by:
  - nbcc
"""


def accredit(courses_dir, sponsor: str = SPONSOR, claims: str = CLAIMS, slug="demo-lesson"):
    """Write sponsor.yaml and the course's claims."""
    (courses_dir / "sponsor.yaml").write_text(sponsor, encoding="utf-8")
    course = courses_dir / slug / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8") + claims, encoding="utf-8")


def problems(courses_dir, today: date = TODAY) -> list[str]:
    with pytest.raises(CourseFormatError) as caught:
        read_library(courses_dir, today=today)
    return [str(p) for p in caught.value.problems]


# --- the sponsor file and the claims, as `courses check` reads them ------------------------


def test_the_shipped_sponsor_file_is_fictitious_and_every_course_claims_it():
    from tests.support.app import PROJECT_COURSES

    specs, sponsor, found = read_library(PROJECT_COURSES)
    (approval,) = sponsor.sponsor.approvals
    assert approval.body_name == "Example Board of Behavioral Health"
    assert approval.number == "0000"
    assert all(s.content["credits"][0]["approval"] == "example-board" for s in specs)
    assert not found.errors


def test_two_approvals_and_a_third_that_does_not_approve(courses_dir):
    accredit(courses_dir)
    specs, sponsor, found = read_library(courses_dir)
    course = next(s for s in specs if s.slug == "demo-lesson")
    assert course.content["credits"] == [
        {"approval": "apa", "hours": "1", "type": ""},
        {"approval": "aswb", "hours": "1", "type": "clinical"},
    ]
    assert course.content["not_approved_by"] == ["nbcc"]
    assert [a.id for a in sponsor.sponsor.approvals] == ["apa", "aswb", "nbcc"]
    assert sponsor.sponsor.attestation == "I did this course on my own, post-test included."


@pytest.mark.parametrize(
    ("sponsor", "expected"),
    [
        (
            "approvals:\n  - id: x\n    body: acme\n",
            "sponsor.yaml:3: approval 'x': 'body' must be one of apa, aswb-ace, nbcc, ca-bbs, "
            "other, not 'acme'",
        ),
        (
            "approvals:\n  - id: x\n    body: aswb-ace\n    approved_from: 2026-01-01\n"
            "    approved_until: 2030-01-01\n",
            "sponsor.yaml:2: approval 'x': 'number' is required",
        ),
        (
            "approvals:\n  - id: x\n    body: aswb-ace\n    number: '1'\n",
            "sponsor.yaml:2: approval 'x': ASWB ACE certificates print the approval period",
        ),
        (
            "approvals:\n  - id: x\n    body: nbcc\n    number: '1'\n    approved_until: soon\n",
            "sponsor.yaml:5: approval 'x': 'approved_until' must be a date written like "
            "2026-01-31, not 'soon'",
        ),
        (
            "approvals:\n  - id: x\n    body: apa\n    statement: '{provider} is {rank}'\n",
            "sponsor.yaml:4: approval 'x': 'statement' may use only the placeholders",
        ),
        (
            "approvals:\n  - id: x\n    body: apa\n    requires: [license_colour]\n",
            "sponsor.yaml:4: approval 'x': 'requires' lists learner details from license_type, "
            "license_number, license_state, not 'license_colour'",
        ),
        (
            "approvals:\n  - id: x\n    body: apa\n  - id: x\n    body: apa\n",
            "sponsor.yaml:4: approval id 'x' is used twice",
        ),
        (
            "approvals:\n  - id: x\n    body: other\n",
            "sponsor.yaml:2: approval 'x': 'body_name' is required",
        ),
        ("approvals: [\n", "sponsor.yaml:2:"),
        (
            "approvals:\n  - id: x\n    body: apa\n    statement: '{0} and {provider.x}'\n",
            "sponsor.yaml:4: approval 'x': 'statement' may use only the placeholders",
        ),
        (
            "approvals:\n  - id: x\n    body: apa\n    statement: '}{ {provider}'\n",
            "sponsor.yaml:4: approval 'x': 'statement' may use only the placeholders",
        ),
        (
            "approvals:\n  - id: x\n    body: nbcc\n    number: '1'\n"
            "    approved_until: 2030-12-31 10:00:00\n",
            "sponsor.yaml:5: approval 'x': 'approved_until' must be a date like 2026-01-31, "
            "without a time of day",
        ),
        (
            "approvals:\n  - id: x\n    body: nbcc\n    number: '  '\n",
            "sponsor.yaml:4: approval 'x': 'number' is empty",
        ),
        ("sponsers: []\n", "sponsor.yaml:1: sponsor.yaml: unknown key 'sponsers'"),
    ],
)
def test_sponsor_file_mistakes_name_file_and_line(courses_dir, sponsor, expected):
    (courses_dir / "sponsor.yaml").write_text(sponsor, encoding="utf-8")
    found = problems(courses_dir)
    assert any(p.startswith("courses/" + expected) for p in found), found


def test_a_claim_must_name_an_approval_and_not_a_refusing_body(courses_dir):
    accredit(
        courses_dir,
        claims="credit:\n  - approval: apa\n  - approval: ace\n  - approval: nbcc\n"
        "not_approved_by: [nbcc]\n",
    )
    found = problems(courses_dir)
    assert any(
        "courses/demo-lesson/course.yaml:" in p
        and "credit: no approval 'ace' in sponsor.yaml (approvals: apa, aswb, nbcc)" in p
        for p in found
    ), found
    assert any("claims 'nbcc' but lists National Board for Certified" in p for p in found), found


def test_an_ending_approval_warns_60_days_ahead_and_errors_once_ended(courses_dir):
    accredit(courses_dir)
    ends = LATER
    _, _, found = read_library(courses_dir, today=ends - timedelta(days=59))
    assert any(
        "approval 'aswb': the approval ends on" in str(w) and str(w).startswith("courses/sponsor")
        for w in found.warnings
    ), found.warnings
    _, _, found = read_library(courses_dir, today=ends - timedelta(days=61))
    assert not [w for w in found.warnings if "approval 'aswb'" in str(w)]
    ended = problems(courses_dir, today=ends + timedelta(days=1))
    assert any("approval 'aswb': the approval ended on" in p for p in ended), ended


def test_post_test_guidance_is_checked_per_claiming_body(courses_dir):
    accredit(courses_dir, claims="credit:\n  - approval: apa\n")
    quiz = courses_dir / "demo-lesson" / "course.yaml"
    quiz.write_text(quiz.read_text().replace("pass_threshold: 75", "pass_threshold: 70"))
    _, _, found = read_library(courses_dir)
    warned = [str(w) for w in found.warnings if "demo-lesson" in str(w)]
    assert any("pass mark 70% is under APA's recommended minimum of 75%" in w for w in warned)
    assert not any("items per credit hour" in w for w in warned)  # 6 items, 1 hour: inside
    # 6 items for 1 hour is inside APA's 6-8; claiming 0.5 hours makes it 12 per hour
    accredit(courses_dir, claims="")  # sponsor file only
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        course.read_text().replace("approval: apa\n", "approval: apa\n    hours: 0.5\n")
    )
    _, _, found = read_library(courses_dir)
    assert any("12.0 per hour): APA recommends 6-8 items" in str(w) for w in found.warnings)
    # five true/false items for half an APA credit hour: APA sponsors' guidance on item types
    assert any(
        "5 true/false items for 0.5 APA credit hours" in str(w) and "at most 1 per hour" in str(w)
        for w in found.warnings
    ), found.warnings


# --- course page and catalog -------------------------------------------------------------------


@pytest.fixture
def accredited(app, courses_dir):
    accredit(courses_dir)
    sync_courses(courses_dir)
    return app


def test_the_course_page_lists_each_body_its_credit_statement_and_the_refusal(accredited, client):
    text = text_of(client.get("/courses/demo-lesson"))
    assert "APA: 1 CE credit" in text
    assert "ASWB ACE: 1 continuing education hour (clinical)" in text
    assert (
        "Compassion CE Institute is approved by the American Psychological Association to "
        "sponsor continuing education for psychologists." in text
    )
    assert "provider #1234, is approved as an ACE provider" in text
    assert "Not approved for credit by: National Board for Certified Counselors (NBCC)." in text
    other = text_of(client.get("/courses/demo-modules"))
    assert "This course carries no accredited continuing education credit." in other


def test_the_catalog_filters_by_profession_and_by_body(accredited, client):
    every = text_of(client.get("/"))
    assert "Demo Lesson on Kindness" in every and "Demo Modules" in every
    assert "Approved by APA, ASWB ACE" in every
    social = text_of(client.get("/?for=social workers"))
    assert "Demo Lesson on Kindness" in social and "Demo Modules" not in social
    assert "1 of 2 courses carry credit for social workers" in social
    by_apa = text_of(client.get("/?body=apa"))
    assert "Demo Lesson on Kindness" in by_apa and "Demo Modules" not in by_apa
    shipped_style = text_of(client.get("/?body=nbcc"))  # listed, but claimed by no course
    assert "No course matches this filter." in shipped_style
    nobody = client.get("/?for=astronauts")
    assert nobody.status_code == 200 and "No course matches this filter." in text_of(nobody)


# --- the details form and the certificate ----------------------------------------------------


def test_license_details_are_required_only_where_an_approval_requires_them(accredited, client):
    result = take_quiz(client, "demo-lesson")
    _, page = details_page(client, result)
    html = page.get_data(as_text=True)
    assert "required by ASWB ACE" in html
    response = submit_details(client, result, full_name="Ana Núñez", email="ana@example.org")
    assert response.status_code == 422
    assert "Enter your license number." in text_of(response)
    assert "Enter the state or jurisdiction of your license." in text_of(response)
    assert "Enter your license type." not in text_of(response)  # ASWB asks number and state


def test_an_approval_that_requires_nothing_asks_for_no_license(app, courses_dir, client):
    accredit(courses_dir, claims="credit:\n  - approval: apa\n")
    sync_courses(courses_dir)
    _, page = details_page(client, take_quiz(client, "demo-lesson"))
    assert "License number" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("number", "state", "message"),
    [
        ("I am licensed in California", "CA", "Enter the license number as it is printed"),
        ("LCSW", "CA", "Enter the license number as it is printed"),
        ("12345", "CA 90210", "Enter the state or jurisdiction in letters"),
    ],
)
def test_license_details_must_have_the_shape_of_one(accredited, client, number, state, message):
    response = submit_details(
        client,
        take_quiz(client, "demo-lesson"),
        full_name="Ana Núñez",
        email="ana@example.org",
        license_number=number,
        license_state=state,
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert certificates() == []


def test_the_certificate_prints_every_field_each_body_requires(accredited, client):
    page = issue(
        client,
        license_type="LCSW",
        license_number="LCS 12345",
        license_state="California",
    )
    (certificate,) = certificates()
    assert [c["short"] for c in certificate.credits] == ["APA", "ASWB ACE"]
    text = pdf_text(client.get(download_link(page)).data)
    for printed in (
        "Ana María Núñez",
        "License LCSW LCS 12345 (California)",
        "APA: 1 CE credit · Self-paced online (home study)",
        "Compassion CE Institute is approved by the American Psychological Association to "
        "sponsor continuing education for psychologists. Compassion CE Institute maintains "
        "responsibility for this program and its content.",
        "ASWB ACE: 1 continuing education hour (clinical) · Self-paced online (home study) "
        "· Provider Compassion CE Institute, #1234 · Approval period March 1, 2025–",
        "Compassion CE Institute, provider #1234, is approved as an ACE provider to offer "
        "social work continuing education by the Association of Social Work Boards (ASWB) "
        "Approved Continuing Education (ACE) program. Regulatory boards are the final "
        "authority on courses accepted for continuing education credit. ACE provider "
        "approval period: March 1, 2025–",
        "Not approved for credit by: National Board for Certified Counselors (NBCC).",
        "1 CE hour ",
        "Completed",
        "Dana Reyes, PhD, CE Administrator",
        "Compassion CE Institute",
    ):
        assert printed in text, printed
    assert "6789" not in text  # the NBCC approval does not cover this course
    verify = text_of(client.get(f"/verify/{certificate.number}"))
    assert "APA: 1 CE credit" in verify and "ASWB ACE: 1 continuing education hour" in verify


def test_the_preview_shows_the_credit_before_issuing(accredited, client):
    preview = submit_details(
        client,
        take_quiz(client, "demo-lesson"),
        button="preview",
        full_name="Ana Núñez",
        email="ana@example.org",
        license_number="12345",
        license_state="CA",
        attest="",
    )
    assert preview.status_code == 200
    text = text_of(preview)
    assert "This certificate will carry: APA: 1 CE credit ASWB ACE:" in text
    assert "provider #1234, is approved as an ACE provider" in text
    assert certificates() == []


def test_an_ended_approval_is_left_off_and_the_learner_is_told_why(app, courses_dir, client):
    ended = TODAY - timedelta(days=1)
    accredit(
        courses_dir,
        SPONSOR.replace(f"approved_until: {LATER.isoformat()}", f"approved_until: {ended}"),
    )
    sync_courses(courses_dir, day=ended)  # synced while the approval was in force
    course = text_of(client.get("/courses/demo-lesson"))
    assert "No ASWB ACE credit: the sponsor's ASWB ACE approval ended on" in course
    result = take_quiz(client, "demo-lesson")
    _, page = details_page(client, result)
    text = text_of(page)
    assert "This certificate will carry: APA: 1 CE credit" in text
    assert "Left off this certificate: ASWB ACE credit, because the sponsor's ASWB ACE " in text
    assert "License number (optional)" in text or "Enter your license number" not in text
    response = submit_details(client, result, full_name="Ana Núñez", email="ana@example.org")
    assert response.status_code == 303  # ASWB's license requirement left with its credit
    (certificate,) = certificates()
    assert [c["short"] for c in certificate.credits] == ["APA"]
    pdf = pdf_text(client.get(download_link(client.get(response.headers["Location"]))).data)
    assert "ACE provider" not in pdf and "American Psychological Association" in pdf


def test_with_every_approval_ended_it_is_a_certificate_of_completion(app, courses_dir, client):
    ended = TODAY - timedelta(days=1)
    accredit(
        courses_dir,
        "approvals:\n  - id: aswb\n    body: aswb-ace\n    number: '1'\n"
        f"    approved_from: 2025-01-01\n    approved_until: {ended}\n",
        claims="credit:\n  - approval: aswb\n",
    )
    sync_courses(courses_dir, day=ended)
    course = text_of(client.get("/courses/demo-lesson"))
    assert "This course carries no accredited continuing education credit at present." in course
    page = issue(client)
    text = pdf_text(client.get(download_link(page)).data)
    assert "Certificate of Completion" in text
    assert "This course carries no accredited continuing education credit." in text
    assert "ACE" not in text


# --- attestation --------------------------------------------------------------------------------


def test_the_learner_attests_in_the_sponsors_words_and_it_is_kept(accredited, client, app):
    result = take_quiz(client, "demo-lesson")
    _, page = details_page(client, result)
    assert "I did this course on my own, post-test included." in text_of(page)
    details = dict(
        full_name="Ana Núñez", email="ana@example.org", license_number="123", license_state="CA"
    )
    refused = submit_details(client, result, attest="", **details)
    assert refused.status_code == 422
    assert "Confirm that you completed this course yourself." in text_of(refused)
    assert certificates() == []
    assert submit_details(client, result, **details).status_code == 303
    (certificate,) = certificates()
    assert certificate.attestation == "I did this course on my own, post-test included."
    assert certificate.attested_at is not None
    admin = admin_client(app)
    text = text_of(admin.get(f"/admin/certificates/{certificate.number}"))
    assert "Attestation “I did this course on my own, post-test included.”, confirmed" in text
    assert "ASWB ACE: 1 continuing education hour (clinical), provider #1234" in text
    roster = admin.get("/admin/exports/roster.csv").get_data(as_text=True).splitlines()
    assert '"accredited_credit","attested_at"' in roster[0]
    assert "APA: 1 CE credit; ASWB ACE: 1 continuing education hour (clinical)" in roster[1]


def test_a_reissue_keeps_the_credit_and_attestation_it_was_issued_with(accredited, client):
    issue(client, license_number="123", license_state="CA")
    (old,) = certificates()
    new = reissue_certificate(old.number, full_name="Ana M. Núñez")
    assert new.credits == old.credits and new.attestation == old.attestation
    assert new.attested_at == old.attested_at
    db.session.expire_all()


# --- settings -----------------------------------------------------------------------------------


def test_the_administrators_signature_image_is_printed(app, courses_dir, client, tmp_path):
    signature = tmp_path / "signature.png"
    Image.new("RGB", (300, 80), "white").save(signature)
    app.config["CE_ADMINISTRATOR_SIGNATURE"] = str(signature)
    app.extensions.pop("ceengine.administrator_signature", None)
    sync_courses(courses_dir)
    page = issue(client)
    reader = PdfReader(io.BytesIO(client.get(download_link(page)).data))
    assert len(reader.pages[0].images) == 1


def test_the_sponsors_logo_is_printed_beside_the_signature(app, courses_dir, client, tmp_path):
    logo, signature = tmp_path / "logo.png", tmp_path / "signature.jpg"
    Image.new("RGB", (240, 80), "navy").save(logo)
    Image.new("RGB", (300, 80), "white").save(signature)
    app.config.update(SPONSOR_LOGO=str(logo), CE_ADMINISTRATOR_SIGNATURE=str(signature))
    app.extensions.pop("ceengine.administrator_signature", None)
    app.extensions.pop("ceengine.sponsor_logo", None)
    sync_courses(courses_dir)
    page = issue(client)
    reader = PdfReader(io.BytesIO(client.get(download_link(page)).data))
    sizes = sorted(image.image.size for image in reader.pages[0].images)
    assert sizes == [(240, 80), (300, 80)]


def test_without_a_logo_the_sponsors_monogram_is_drawn(synced, client):
    reader = PdfReader(io.BytesIO(client.get(download_link(issue(client))).data))
    assert len(reader.pages[0].images) == 0  # drawn, not an image
    assert "CCI" in reader.pages[0].extract_text()  # Compassion CE Institute


@pytest.mark.parametrize("setting", ["CE_ADMINISTRATOR_SIGNATURE", "SPONSOR_LOGO"])
def test_a_missing_image_file_stops_the_app(tmp_path, setting):
    with pytest.raises(RuntimeError, match=f"CEENGINE_{setting} is .* not a file"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}",
                setting: str(tmp_path / "nowhere.png"),
            }
        )


def test_a_missing_signature_file_stops_the_app(tmp_path):
    with pytest.raises(RuntimeError, match="not a file"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}",
                "CE_ADMINISTRATOR_SIGNATURE": str(tmp_path / "nowhere.png"),
            }
        )


def test_the_old_approvals_file_is_refused_in_production(monkeypatch, tmp_path):
    production_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("CEENGINE_APPROVALS_FILE", str(tmp_path / "approvals.txt"))
    with pytest.raises(RuntimeError, match="CEENGINE_APPROVALS_FILE is no longer read"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_the_old_approvals_file_is_warned_about_in_development(monkeypatch, tmp_path):
    monkeypatch.setenv("CEENGINE_APPROVALS_FILE", str(tmp_path / "approvals.txt"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"})
    assert any(
        issubclass(w.category, DeprecationWarning) and "courses/sponsor.yaml" in str(w.message)
        for w in caught
    )


def test_statements_can_be_overridden_by_the_sponsor(courses_dir):
    accredit(
        courses_dir,
        "approvals:\n  - id: apa\n    body: apa\n    statement: >\n"
        "      {provider} is approved by the APA. Wording agreed with APA.\n",
        claims="credit:\n  - approval: apa\n",
    )
    _, sponsor, _ = read_library(courses_dir)
    (approval,) = sponsor.sponsor.approvals
    assert approval.statement_for("Us") == "Us is approved by the APA. Wording agreed with APA."


def test_sync_versions_the_sponsor_file(app, courses_dir):
    accredit(courses_dir)
    first = sync_courses(courses_dir)
    assert str(first[0]) == "sponsor.yaml: added (version 1)"
    assert str(sync_courses(courses_dir)[0]) == "sponsor.yaml: unchanged (version 1)"
    sponsor = courses_dir / "sponsor.yaml"
    sponsor.write_text(sponsor.read_text().replace('"6789"', '"6790"'))
    assert str(sync_courses(courses_dir)[0]) == "sponsor.yaml: new version (version 2)"


def test_two_other_boards_are_two_choices_in_the_catalog(app, courses_dir, client):
    accredit(
        courses_dir,
        "approvals:\n  - id: ohio\n    body: other\n    body_name: Ohio Board\n"
        "  - id: texas\n    body: other\n    body_name: Texas Board\n",
        claims="credit:\n  - approval: texas\n",
    )
    sync_courses(courses_dir)
    assert 'value="texas"' in client.get("/").get_data(as_text=True)
    ohio = text_of(client.get("/?body=ohio"))
    assert "Demo Lesson on Kindness" not in ohio and "No course matches this filter." in ohio
    assert "Demo Lesson on Kindness" in text_of(client.get("/?body=texas"))
