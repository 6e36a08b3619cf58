"""A certificate whose course many bodies approve: every credit is printed, never cut off."""

from __future__ import annotations

import io
from dataclasses import replace

from pypdf import PdfReader

from ceengine.certificates.render import render_certificate
from tests.support.certificate_pdf import DATA


def test_credits_that_do_not_fit_on_page_one_follow_on_pages_of_their_own():
    credit = DATA.credits[0]
    boards = tuple(
        replace(credit, short=f"Board {n}", statement=credit.statement * 4) for n in range(7)
    )
    reader = PdfReader(io.BytesIO(render_certificate(replace(DATA, credits=boards))))
    assert len(reader.pages) > 1
    first = reader.pages[0].extract_text()
    assert "Continuing education credit from 7 approvals: see the pages that follow." in first
    rest = " ".join(page.extract_text() for page in reader.pages[1:])
    assert all(f"Board {n}: 2 CE credits" in rest for n in range(7))
    assert "Certificate number 7KQ2-M9XD-4HTR-V" in rest


def test_two_approvals_fit_on_one_page():
    aswb = replace(DATA.credits[0], short="ASWB ACE", number="1234")
    reader = PdfReader(io.BytesIO(render_certificate(replace(DATA, credits=(*DATA.credits, aswb)))))
    assert len(reader.pages) == 1
