"""`ceengine courses packet SLUG --out DIR`: what an accreditor's application asks for, from the
course files alone."""

from __future__ import annotations

import json

from pypdf import PdfReader

from tests.certificates.test_accreditation import accredit
from tests.support.app import PROJECT_COURSES
from tests.support.certificate_pdf import pdf_text


def test_the_packet_holds_everything_an_application_asks_for(app, runner, courses_dir, tmp_path):
    accredit(courses_dir)
    out = tmp_path / "packet"
    result = runner.invoke(
        args=["courses", "packet", "demo-lesson", "--out", str(out), "--dir", str(courses_dir)]
    )
    assert result.exit_code == 0, result.output
    names = {path.name for path in out.iterdir()}
    assert names == {
        "README.txt",
        "syllabus.md",
        "answer-key.txt",
        "answer-key.json",
        "evaluation-form.md",
        "credit-estimate.txt",
        "sample-certificate.pdf",
    }
    syllabus = (out / "syllabus.md").read_text()
    for expected in (
        "# Demo Lesson on Kindness",
        "## Learning objectives",
        "1. Name the three parts of self-compassion.",
        "## Outline",
        "### Ada Example, PhD, LCSW",
        "Ada writes the test courses.",
        "APA: 1 CE credit",
        "ASWB ACE: 1 continuing education hour (clinical)",
        "provider #1234, is approved as an ACE provider",
        "Not approved for credit by: National Board for Certified Counselors (NBCC).",
        "6 items (6.0 per CE hour); pass mark 75%",
        "Neff, K. D. (2003).",
    ):
        assert expected in syllabus, expected
    key = json.loads((out / "answer-key.json").read_text())
    assert len(key) == 6 and {"statement", "answer"} <= set(key[0])
    assert "Answer:" in (out / "answer-key.txt").read_text()
    evaluation = (out / "evaluation-form.md").read_text()
    assert "Overall, how would you rate this course?" in evaluation
    assert "Name the three parts of self-compassion." in evaluation  # per-objective question
    estimate = (out / "credit-estimate.txt").read_text()
    assert "Reading at 200 words/min" in estimate and "Declared CE hours" in estimate
    pdf = (out / "sample-certificate.pdf").read_bytes()
    text = pdf_text(pdf)
    assert "SAMPLE" in text and "Sample Learner" in text
    assert "ASWB ACE: 1 continuing education hour (clinical)" in text
    assert "/Sig" not in pdf.decode("latin-1")  # a specimen is never signed
    assert len(PdfReader((out / "sample-certificate.pdf").open("rb")).pages) == 1


def test_every_shipped_course_makes_a_packet(app, runner, tmp_path):
    for slug in (p.name for p in PROJECT_COURSES.iterdir() if (p / "course.yaml").is_file()):
        out = tmp_path / slug
        args = ["courses", "packet", slug, "--out", str(out), "--dir", str(PROJECT_COURSES)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert "Example Board of Behavioral Health" in (out / "syllabus.md").read_text()


def test_the_packet_refuses_a_folder_with_files_and_a_course_with_mistakes(
    app, runner, courses_dir, tmp_path
):
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    args = ["courses", "packet", "demo-lesson", "--dir", str(courses_dir), "--out"]
    result = runner.invoke(args=[*args, str(full)])
    assert result.exit_code != 0 and "already has files" in result.output
    assert (full / "notes.txt").read_text() == "mine"
    accredit(courses_dir, claims="credit:\n  - approval: nowhere\n")
    result = runner.invoke(args=[*args, str(tmp_path / "new")])
    assert result.exit_code != 0
    assert "credit: no approval 'nowhere' in sponsor.yaml" in result.output
    assert not (tmp_path / "new").exists()
