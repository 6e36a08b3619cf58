"""The certificate PDF: every field printed, any name drawn, the same bytes every time."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from ceengine.certificates import render
from ceengine.certificates.ornaments import monogram
from ceengine.certificates.render import render_certificate
from tests.support.certificate_pdf import DATA, pdf_text
from tests.support.certificate_samples import write_pngs


def test_every_field_is_printed():
    text = pdf_text(render_certificate(DATA))
    for value in [
        DATA.number,
        DATA.learner_name,
        DATA.course_title,
        DATA.presenters,
        "2 CE hours",
        DATA.course_format,
        DATA.completion_date,
        DATA.score,
        DATA.sponsor_name,
        DATA.sponsor_contact,
        DATA.verify_url,
        DATA.administrator,
        "License 12345",
        "American Psychological Association",
    ]:
        assert value in text, value


def test_the_same_data_gives_the_same_bytes():
    assert render_certificate(DATA) == render_certificate(DATA)


@pytest.mark.parametrize(
    "name", ["王小明", "山田太郎", "김민준", "שרה כהן", "Zoë Ødegård-Łukasiewicz"]
)
def test_names_in_any_script_are_embedded(name):
    pdf = render_certificate(dataclasses.replace(DATA, learner_name=name))
    text = pdf_text(pdf)
    letters = [c for c in name if c.isalpha()]
    assert sum(c in text for c in letters) >= len(letters) - 1, text


def test_a_very_long_name_shrinks_to_fit():
    long_name = "Maria " + "Alexandra " * 12 + "Smith"
    pdf = render_certificate(dataclasses.replace(DATA, learner_name=long_name))
    assert "Alexandra" in pdf_text(pdf)


def test_a4_paper():
    reader = PdfReader(io.BytesIO(render_certificate(DATA, paper="a4")))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_page_renders_to_an_image(tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render_certificate(DATA))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000


def _text_heights(page) -> list[float]:
    """The height on the page of every piece of text drawn."""
    heights: list[float] = []

    def visit(text, cm, tm, *_):
        if text.strip():
            heights.append(tm[5])

    page.extract_text(visitor_text=visit)
    return heights


def test_the_page_is_filled_top_to_bottom_without_an_empty_band():
    """Words from the header to the footer, no stretch of a quarter page without any."""
    for data in (DATA, dataclasses.replace(DATA, credits=(), license_line="")):
        for paper in ("letter", "a4"):
            reader = PdfReader(io.BytesIO(render_certificate(data, paper=paper)))
            heights = _text_heights(reader.pages[0])
            page = float(reader.pages[0].mediabox.height)
            gaps = [b - a for a, b in zip(sorted(heights), sorted(heights)[1:], strict=False)]
            assert max(gaps) < page / 6, (paper, max(gaps))


def test_the_sponsors_initials_stand_in_for_a_logo():
    assert monogram("Compassion CE Institute") == "CCI"
    assert monogram("ceengine Continuing Education") == "CCE"
    assert monogram("Institute of the Mind and Heart") == "IMH"
    assert monogram("") == "CE"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_sample_certificates_are_drawn_for_a_person_to_look_at():
    """Free, several approvals, a long Arabic and Chinese name; Letter and A4, in
    test-artifacts/certificate-after-*.png."""
    written = write_pngs(render, "after")
    assert len(written) == 6  # every sample fits on one page at both sizes
    assert all(path.stat().st_size > 5000 for path in written)
