"""Steps shared by the certificate tests: pass a quiz, fill in the details, issue."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask import g

from ceengine.certificates.edition import LearnerDetails, certificate_data
from ceengine.certificates.models import Certificate
from ceengine.certificates.render import render_certificate
from ceengine.certificates.signing import sign_pdf
from ceengine.courses.models import QuizItem
from ceengine.extensions import db
from tests.support.certificate_pdf import identity_in
from tests.support.html import form_in, quiz_form_in, text_of
from tests.support.quiz_steps import confirm_if_asked


def take_quiz(client, slug: str, passing: bool = True) -> str:
    """Answer the quiz (all right, or all wrong) and return the result page's address."""
    confirm_if_asked(client, slug)  # courses that limit attempts count per confirmed email
    form = quiz_form_in(client.get(f"/courses/{slug}/quiz").get_data(as_text=True))
    answers = {}
    for name, options in form.radios.items():
        item = db.session.get(QuizItem, int(name.removeprefix("item-")))
        answers[name] = item.answer if passing else next(o for o in options if o != item.answer)
    response = client.post(f"/courses/{slug}/quiz", data=form.answers(answers))
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def details_page(client, result_url: str):
    """Follow `Get my certificate` from the result page."""
    result = client.get(result_url).get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)">Get my certificate</a>', result)
    assert link, "no Get my certificate link on the result page"
    return link.group(1), client.get(link.group(1))


def submit_details(client, result_url: str, button: str = "issue", **details):
    """Fill in the details form (Full name, Email, …) and press a button."""
    address, page = details_page(client, result_url)
    form = form_in(page.get_data(as_text=True), "full_name")
    data = {"attest": "y", **form.hidden, **form.values, **details, button: form.submits[button]}
    return client.post(address, data=data)


def issue(
    client,
    slug: str = "demo-lesson",
    full_name: str = "Ana María Núñez",
    email: str = "ana@example.org",
    **details,
):
    """Pass the quiz and issue the certificate; return the certificate page response."""
    response = submit_details(
        client, take_quiz(client, slug), full_name=full_name, email=email, **details
    )
    assert response.status_code == 303, text_of(response)
    return client.get(response.headers["Location"])


def download_link(page) -> str:
    """The address behind `Download certificate (PDF)`."""
    match = re.search(
        r'href="([^"]+)"[^>]*>Download certificate \(PDF\)', page.get_data(as_text=True)
    )
    assert match, "no Download certificate (PDF) link"
    return match.group(1)


def certificates() -> list[Certificate]:
    """Every certificate row."""
    return list(db.session.scalars(sa.select(Certificate).order_by(Certificate.id)))


def one_byte_changed(pdf: bytes) -> bytes:
    """The PDF with one letter of its signed content changed (the author in its info)."""
    position = pdf.index(b"/Author (Compassion") + len(b"/Author (")
    assert position < int(re.search(rb"/ByteRange \[0 (\d+)", pdf).group(1))  # signed part
    changed = bytearray(pdf)
    changed[position] = ord("K")
    return bytes(changed)


def signed_by_someone_else(certificate: Certificate, folder) -> bytes:
    """The same certificate page, rendered again and signed with another (untrusted) key."""
    other = identity_in(folder, "Someone Else")
    details = LearnerDetails(certificate.full_name, certificate.email)
    page = render_certificate(certificate_data(certificate.attempt, details, certificate.number))
    return sign_pdf(page, other, f"CE certificate {certificate.number}", "Online")


def upload(client, pdf: bytes | None, filename: str = "certificate.pdf"):
    """Check a file on the Verify page, the way a visitor's browser submits the form."""
    # The test's app context outlives each request, so Flask-WTF's per-request token cache
    # in `g` would hand this client another client's token: start it afresh, as a server does.
    g.pop("csrf_token", None)
    form = form_in(client.get("/verify").get_data(as_text=True), "csrf_token")
    data = {**form.hidden}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), filename)
    return client.post("/verify", data=data, content_type="multipart/form-data")
