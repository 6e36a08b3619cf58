"""Public verification as a licensing board, an employer or an auditor uses it.

By number (/verify/<number>): Valid, Revoked with the reason, or Superseded by a newer
number, with what the certificate says and nothing private. By file (POST /verify): the
PDF we issued is authentic and unchanged; a changed byte, appended bytes, another key's
signature or a file that is not a PDF are each refused with a message.
"""

from __future__ import annotations

import hashlib

import pytest

from ceengine.certificates.edition import LearnerDetails, certificate_data, long_date
from ceengine.certificates.models import Certificate
from ceengine.certificates.numbers import (
    ALPHABET,
    CHECK_SYMBOLS,
    new_certificate_number,
    normalize_certificate_number,
)
from ceengine.certificates.render import render_certificate
from ceengine.certificates.services import (
    find_certificate,
    reissue_certificate,
    revoke_certificate,
)
from ceengine.certificates.signing import (
    MAX_PDF_BYTES,
    create_development_chain,
    load_identity,
    sign_pdf,
)
from ceengine.certificates.signing_key import signing_identity
from ceengine.certificates.tokens import certificate_token
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.app import make_app
from tests.support.certificate_pdf import pdf_text
from tests.support.certificate_steps import (
    certificates,
    download_link,
    issue,
    one_byte_changed,
    signed_by_someone_else,
    upload,
)
from tests.support.hostile_pdf import PathBuilding, forged_certificate, our_certificates
from tests.support.html import spoken_text_of

NAME, EMAIL = "Ana María Núñez", "ana@example.org"
COURSE_TITLE = "Demo Lesson on Kindness"


# --- steps -----------------------------------------------------------------------------


def issued(client, **details) -> tuple[object, Certificate]:
    """Issue a certificate through the site; return the learner's page and the stored row."""
    page = issue(client, **details)
    return page, certificates()[-1]


def downloaded_pdf(client, page) -> bytes:
    """The PDF behind the page's Download certificate (PDF) link."""
    response = client.get(download_link(page))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data


def number_with_body(body: str) -> str:
    """The well-formed certificate number with these twelve symbols (its check symbol added)."""
    numbers = {normalize_certificate_number(f"{body}-{check}") for check in CHECK_SYMBOLS}
    (number,) = numbers - {None}
    return number


def number_ending_in(check: str) -> str:
    """A well-formed number whose check symbol is `check` (it may be * ~ $ = or U)."""
    value = CHECK_SYMBOLS.index(check) + 37 * 987_654_321_987  # any value ≡ index (mod 37)
    body = "".join(ALPHABET[(value >> 5 * place) & 31] for place in reversed(range(12)))
    number = number_with_body(body)
    assert number.endswith(check)
    return number


def stored_pdf_sha256(number: str) -> str:
    """The sha256 of the PDF bytes stored for a certificate, read afresh from the database."""
    db.session.expire_all()
    return hashlib.sha256(find_certificate(number).pdf).hexdigest()


# --- by number -------------------------------------------------------------------------


def test_a_fresh_certificate_is_valid_and_says_what_it_certifies(synced, client):
    _, certificate = issued(client, full_name=NAME, email=EMAIL)
    visitor = synced.test_client()  # a board member: no learner cookie, no sign-in

    response = visitor.get(f"/verify/{certificate.number}")

    assert response.status_code == 200
    page = spoken_text_of(response)
    assert "Valid: this certificate was issued by Compassion CE Institute" in page
    assert "Revoked" not in page and "Superseded" not in page
    assert f"Name {NAME}" in page
    assert f"Course {COURSE_TITLE}" in page
    assert "CE hours 1 " in page
    assert f"Completed {long_date(certificate.completed_at)}" in page
    assert f"Certificate number {certificate.number}" in page


def test_a_number_typed_loosely_redirects_to_its_canonical_address(synced, client):
    _, certificate = issued(client)
    typed = certificate.number.replace("-", "").lower()

    response = client.get(f"/verify/{typed}")

    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{certificate.number}")


def test_letters_read_aloud_as_digits_are_taken_as_digits(synced, client):
    canonical = number_with_body("01AB-CDEF-GH01")
    typed = "oLab cdef gh0I" + canonical[-1].lower()

    response = client.get(f"/verify/{typed}")

    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{canonical}")


@pytest.mark.parametrize("check", ["*", "~", "$", "=", "U"])
def test_a_number_ending_in_a_punctuation_check_symbol_can_be_verified(
    synced, client, monkeypatch, check
):
    number = number_ending_in(check)
    monkeypatch.setattr("ceengine.certificates.services.new_certificate_number", lambda: number)
    page, certificate = issued(client)
    assert certificate.number == number

    typed = client.get("/verify", query_string={"number": number.lower().replace("-", "")})
    response = client.get(typed.headers["Location"])

    assert typed.status_code == 303 and response.status_code == 200
    assert f"Certificate number {number}" in spoken_text_of(response)
    assert "Valid: this certificate was issued" in spoken_text_of(response)
    assert upload(client, downloaded_pdf(client, page)).status_code == 200


def test_the_lookup_form_sends_a_typed_number_to_its_page(synced, client):
    _, certificate = issued(client)
    typed = " " + certificate.number.lower().replace("-", " ") + " "

    response = client.get("/verify", query_string={"number": typed})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verify/{certificate.number}")
    assert "Valid" in spoken_text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("typed", ["not a number", "7KQ2-M9XD", "7KQ2-M9XD-4HTR-V-9"])
def test_the_lookup_form_explains_a_malformed_number(synced, client, typed):
    response = client.get("/verify", query_string={"number": typed})

    assert response.status_code == 422
    page = spoken_text_of(response)
    assert "That is not a certificate number. A number looks like 7KQ2-M9XD-4HTR-V" in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_a_mistyped_symbol_is_caught_by_the_check_character(synced, client):
    _, certificate = issued(client)
    body, check = certificate.number[:-1], certificate.number[-1]
    wrong_check = "0" if check != "0" else "1"

    response = client.get("/verify", query_string={"number": body + wrong_check})

    assert response.status_code == 422
    assert "That is not a certificate number" in spoken_text_of(response)


def test_a_malformed_number_in_the_address_is_not_found(synced, client):
    response = client.get("/verify/not-a-certificate")

    assert response.status_code == 404
    assert "“not-a-certificate” is not a certificate number" in spoken_text_of(response)


def test_what_was_typed_in_the_address_is_shown_as_text_not_markup(synced, client):
    response = client.get("/verify/<img src=x onerror=alert(1)>")

    assert response.status_code == 404
    assert "<img src=x" not in response.get_data(as_text=True)
    assert "“<img src=x onerror=alert(1)>” is not a certificate number" in spoken_text_of(response)


def test_a_well_formed_number_never_issued_is_not_found_with_a_clear_message(synced, client):
    number = new_certificate_number()

    response = client.get(f"/verify/{number}")

    assert response.status_code == 404
    assert (
        f"No certificate has the number {number}. Check it against the certificate; "
        "if it matches, contact the sponsor."
    ) in spoken_text_of(response)


# --- revoked and superseded ------------------------------------------------------------


def test_a_revoked_certificate_says_revoked_with_the_reason_and_date(synced, client):
    page, certificate = issued(client)
    revoked = revoke_certificate(certificate.number, "Issued in error:  quiz   retaken")

    response = synced.test_client().get(f"/verify/{revoked.number}")

    assert response.status_code == 200
    text = spoken_text_of(response)
    assert (
        f"Revoked on {long_date(revoked.revoked_at)}. Reason: Issued in error: quiz retaken"
    ) in text
    assert "Valid" not in text
    assert f"Name {certificate.full_name}" in text


def test_a_revoked_certificate_can_no_longer_be_downloaded(synced, client):
    page, certificate = issued(client)
    revoke_certificate(certificate.number, "Issued in error")

    response = client.get(download_link(page))

    assert response.status_code == 410
    assert f"Certificate {certificate.number} is revoked and can no longer be downloaded" in (
        spoken_text_of(response)
    )
    assert "Revoked" in spoken_text_of(client.get(page.request.path))


def test_a_reissued_certificate_points_from_the_old_number_to_the_new(synced, client):
    _, old = issued(client, full_name="Old Name")
    old_number = old.number
    new = reissue_certificate(old_number, full_name="New Name")

    old_page = client.get(f"/verify/{old_number}")

    assert old_page.status_code == 200
    assert f"Superseded by certificate {new.number}, which replaces it" in spoken_text_of(old_page)
    assert f'href="/verify/{new.number}"' in old_page.get_data(as_text=True)
    new_page = spoken_text_of(client.get(f"/verify/{new.number}"))
    assert "Valid: this certificate was issued" in new_page
    assert "Name New Name" in new_page and "Old Name" not in new_page


def test_the_reissued_pdf_carries_the_new_name_and_the_old_pdf_is_kept_as_issued(synced, client):
    page, old = issued(client, full_name="Old Name")
    old_number, old_sha256 = old.number, stored_pdf_sha256(old.number)
    new = reissue_certificate(old_number, full_name="New Name")
    new_number = new.number

    # The old page says Superseded and never leads to the replacement (a reissue may go to a
    # corrected address); the learner opens it from the link the reissue emailed.
    old_html = client.get(page.request.path).get_data(as_text=True)
    assert "Superseded" in old_html and new_number not in old_html
    new_pdf = downloaded_pdf(client, client.get(f"/certificates/{certificate_token(new_number)}"))

    assert "New Name" in pdf_text(new_pdf) and "Old Name" not in pdf_text(new_pdf)
    assert f"Certificate number {new_number}" in pdf_text(new_pdf)
    assert stored_pdf_sha256(old_number) == old_sha256
    assert stored_pdf_sha256(new_number) == hashlib.sha256(new_pdf).hexdigest()


# --- by file ---------------------------------------------------------------------------


def test_the_downloaded_pdf_is_authentic_and_unchanged(synced, client):
    page, certificate = issued(client)
    pdf = downloaded_pdf(client, page)

    response = upload(synced.test_client(), pdf)

    assert response.status_code == 200
    text = spoken_text_of(response)
    assert "Authentic and unchanged: this file was signed by" in text
    assert "Valid: this certificate was issued" in text
    assert text.index("Valid: this certificate") < text.index("Authentic and unchanged")
    assert "status-valid" in response.get_data(as_text=True)
    assert f"Name {certificate.full_name}" in text
    assert f"Course {COURSE_TITLE}" in text
    assert f"Certificate number {certificate.number}" in text


def test_an_uploaded_superseded_pdf_is_authentic_but_says_it_was_replaced(synced, client):
    page, certificate = issued(client)
    pdf = downloaded_pdf(client, page)
    new = reissue_certificate(certificate.number, full_name="New Name")

    response = upload(client, pdf)

    assert response.status_code == 200
    text = spoken_text_of(response)
    # The status leads; the file's authenticity follows, without the green of a valid one.
    assert text.index(f"Superseded by certificate {new.number}") < text.index(
        "The file is authentic and unchanged, but this certificate is no longer valid"
    )
    assert "status-valid" not in response.get_data(as_text=True)


def test_an_uploaded_revoked_pdf_leads_with_revoked_and_is_not_shown_green(synced, client):
    page, certificate = issued(client)
    pdf = downloaded_pdf(client, page)
    revoked = revoke_certificate(certificate.number, "Issued in error")

    response = upload(synced.test_client(), pdf)

    assert response.status_code == 200
    text = spoken_text_of(response)
    lead = f"Revoked on {long_date(revoked.revoked_at)}. Reason: Issued in error"
    assert lead in text
    assert text.index(lead) < text.index(
        "The file is authentic and unchanged, but this certificate is no longer valid"
    )
    assert "Authentic and unchanged:" not in text
    assert "status-valid" not in response.get_data(as_text=True)


def test_a_pdf_issued_under_an_earlier_signing_key_is_still_authentic(synced, client, tmp_path):
    page, certificate = issued(client)
    pdf = downloaded_pdf(client, page)
    # The sponsor moves to a new signing key: only the new certificate is configured now.
    files = create_development_chain(tmp_path / "new-key", "Compassion CE Institute")
    synced.extensions["ceengine.signing_identity"] = load_identity(
        *(files[k].read_bytes() for k in ("key", "cert", "chain"))
    )

    response = upload(client, pdf)

    assert response.status_code == 200  # byte for byte the file we issued and stored
    assert "Authentic and unchanged: this file was signed by" in spoken_text_of(response)
    assert f"Certificate number {certificate.number}" in spoken_text_of(response)


def test_one_changed_byte_is_refused(synced, client):
    page, _ = issued(client)
    tampered = one_byte_changed(downloaded_pdf(client, page))

    response = upload(client, tampered)

    assert response.status_code == 422
    text = spoken_text_of(response)
    assert "Not authentic" in text and "Authentic and unchanged" not in text
    assert "the PDF was changed after it was signed" in text


def test_bytes_appended_after_the_end_are_refused(synced, client):
    page, _ = issued(client)
    appended = downloaded_pdf(client, page) + b"\n% a note added after signing\n"

    response = upload(client, appended)

    assert response.status_code == 422
    text = spoken_text_of(response)
    assert "Not authentic" in text
    assert "The signature does not cover the whole file: something was added after signing" in (
        text
    )


def test_the_same_page_signed_with_another_key_is_refused(synced, client, tmp_path):
    _, certificate = issued(client)
    forged = signed_by_someone_else(certificate, tmp_path / "other-key")

    response = upload(client, forged)

    assert response.status_code == 422
    text = spoken_text_of(response)
    assert "Not authentic" in text
    assert "The signature was not made by this sponsor's signing certificate" in text


def test_a_forged_signature_with_decoy_roots_is_refused_without_building_a_path(
    synced, client, monkeypatch
):
    # A self-made signer naming our root as its issuer, and six certificates named like our
    # root with one shared key: the old check tried every ordering of them (6: 1.7 s, 8: 95 s;
    # ten held a gunicorn worker until its timeout).
    _, certificate = issued(client)
    forged = forged_certificate(certificate, decoys=6)
    building = PathBuilding(monkeypatch, our_certificates(signing_identity()))

    response = upload(client, forged)

    assert response.status_code == 422
    assert (
        "Not authentic: The signature was not made by this sponsor's signing certificate."
    ) in spoken_text_of(response)
    assert building.ends == []


def test_a_pdf_signed_with_our_key_but_never_issued_is_refused(synced, client):
    _, certificate = issued(client, full_name="Real Learner")
    details = LearnerDetails("Someone Who Never Took The Course", "x@example.org")
    page = render_certificate(certificate_data(certificate.attempt, details, certificate.number))
    lookalike = sign_pdf(page, signing_identity(), "CE certificate", "Online")

    response = upload(client, lookalike)

    assert response.status_code == 422
    assert (
        "Not authentic: The signature is genuine, but no certificate we issued has exactly "
        "these contents."
    ) in spoken_text_of(response)


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(synced, client):
    response = upload(client, b"Hello, I am a photo of a certificate.", "certificate.jpg")

    assert response.status_code == 422
    assert (
        "That file is neither a certificate PDF nor an Open Badge credential (JSON). Choose the "
        "certificate's PDF file or its open-badge JSON file."
    ) in spoken_text_of(response)


def test_a_damaged_pdf_is_refused_with_a_message(synced, client):
    response = upload(client, b"%PDF-1.4\n this is the start of a PDF and nothing else")

    assert response.status_code == 422
    text = spoken_text_of(response)
    assert "Not authentic" in text and "This file is not a readable PDF" in text


def test_checking_without_a_file_asks_for_one(synced, client):
    response = upload(client, None)

    assert response.status_code == 422
    assert "Choose the certificate's PDF or JSON file." in spoken_text_of(response)


def test_a_file_larger_than_any_certificate_is_refused_with_a_message(synced, client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES)

    assert response.status_code == 422
    assert (
        "That file is larger than any certificate we issue (at most 256 KB). Choose the "
        "certificate's PDF or JSON file."
    ) in spoken_text_of(response)


def test_a_file_over_the_size_limit_is_refused_with_a_page(synced, client):
    response = upload(client, b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    assert response.status_code == 413
    assert "larger than we accept" in spoken_text_of(response)


# --- limits and privacy ----------------------------------------------------------------


@pytest.fixture
def limited(database_url, courses_dir):
    """An app that allows two verification requests a minute, with the courses loaded."""
    app = make_app(database_url, courses_dir, VERIFY_RATE_LIMIT="2 per minute")
    with app.app_context():
        sync_courses(courses_dir)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_too_many_lookups_get_a_readable_429_page(limited):
    client = limited.test_client()
    _, certificate = issued(client)
    address = f"/verify/{certificate.number}"

    assert [client.get(address).status_code for _ in range(2)] == [200, 200]
    response = client.get(address)

    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Too many requests Please wait a moment and try again." in spoken_text_of(response)
    assert "Retry-After" in response.headers


def test_the_verify_pages_never_show_the_learners_email_or_license(synced, client, courses_dir):
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(course.read_text() + "certificate:\n  license_details: optional\n")
    sync_courses(courses_dir)
    page, certificate = issued(
        client,
        email="private.person@example.org",
        profession="Social worker",
        license_type="LCSW",
        license_number="LIC-4455667",
        license_state="CA",
    )
    assert certificate.license_number == "LIC-4455667"  # the details really were recorded
    visitor = synced.test_client()

    pages = [
        visitor.get(f"/verify/{certificate.number}"),
        upload(visitor, downloaded_pdf(client, page)),
    ]

    for response in pages:
        assert response.status_code == 200
        served = response.get_data(as_text=True).lower()
        assert "private.person" not in served
        assert "4455667" not in served
