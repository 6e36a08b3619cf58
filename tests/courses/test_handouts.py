"""Handouts a clinician would print: a course's Markdown worksheet is offered as a PDF set for
print, headed with the course title and the sponsor, beside its text version."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from ceengine.courses.services import sync_courses
from tests.support.app import PROJECT_COURSES

COURSE = "/courses/self-compassion-for-clinicians"


def pdf_text(pdf: bytes) -> str:
    """Every page's text, one line each run of whitespace."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def project(app):
    """The app serving the project's own courses (their media/ too)."""
    app.config["COURSES_DIR"] = str(PROJECT_COURSES)
    sync_courses(PROJECT_COURSES)
    return app


def handout_links(client) -> tuple[str, str]:
    html = client.get(COURSE).get_data(as_text=True)
    pdf = re.search(r'href="([^"]+\.pdf)" download>Download Self-Compassion Practice', html)
    text = re.search(r'href="([^"]+\.md)" download>Text version', html)
    assert pdf and text, "no printable handout on the course page"
    return pdf.group(1), text.group(1)


def test_a_worksheet_downloads_as_a_pdf_headed_with_course_and_sponsor(project, client):
    pdf_link, _ = handout_links(client)

    response = client.get(pdf_link)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for printed in (
        "Self-Compassion for Clinicians",  # the header, on every page
        "Compassion CE Institute",
        "Self-Compassion Practice Worksheet",
        "Part 2. The three-step break",
        "My words:",
        "Over-identification",  # from a table
    ):
        assert printed in text, printed
    assert client.get(pdf_link).data == response.data  # the same bytes each time


def test_the_text_version_stays_beside_it(project, client):
    _, text_link = handout_links(client)

    response = client.get(text_link)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "## Part 1. Where am I starting from?" in response.get_data(as_text=True)


def test_only_a_handout_the_course_offers_is_printed(project, client):

    assert client.get(f"{COURSE}/handouts/quiz.pdf").status_code == 404
    assert client.get(f"{COURSE}/handouts/..%2Fcourse.pdf").status_code == 404
    assert client.get("/courses/no-such-course/handouts/x.pdf").status_code == 404
