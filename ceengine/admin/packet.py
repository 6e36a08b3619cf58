"""The accreditor packet: what an approval application asks of a course, written from the
course files (no database): syllabus (objectives, outline, presenters, references, credit),
answer key, evaluation form, credit estimate and a sample certificate marked SAMPLE.

`ceengine courses packet SLUG --out DIR` (ceengine/admin/cli.py) writes it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app

from ceengine.certificates.edition import administrator_signature, printed_credits, sponsor_logo
from ceengine.certificates.render import CertificateData, PrintedCredit, render_certificate
from ceengine.courses.approvals import Sponsor, body_name, course_credits, long_date
from ceengine.courses.content import CourseContent
from ceengine.courses.estimate import estimate_rows
from ceengine.courses.format import CourseSpec
from ceengine.courses.items import item_type
from ceengine.courses.services import answer_key, spec_estimate
from ceengine.feedback.forms import evaluation_form
from ceengine.links import base_url
from ceengine.templating import format_hours

_TAG = re.compile(r"<[^>]+>")


def plain(fragment: str) -> str:
    """Rendered course HTML as plain text (paragraphs kept)."""
    text = re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", " ".join(fragment.split()))
    lines = [" ".join(html.unescape(_TAG.sub("", line)).split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


@dataclass(frozen=True)
class PacketFile:
    """One file of the packet: its name and what it is for."""

    name: str
    about: str


def _credits(course: CourseContent, sponsor: Sponsor, today: date) -> list[PrintedCredit]:
    standing = course_credits(sponsor, course.credit_claims, course.not_approved_by, today)
    return list(printed_credits(standing.in_force, course.format))


def syllabus(spec: CourseSpec, sponsor: Sponsor, today: date) -> str:
    """The course as a reviewer reads it, in Markdown."""
    course = CourseContent.from_json(spec.content)
    credits = _credits(course, sponsor, today)
    policy, config = course.quiz_policy, current_app.config
    lines = [
        f"# {course.title}",
        "",
        course.summary,
        "",
        f"- CE hours: {format_hours(course.ce_hours)}",
        f"- Level: {course.level}",
        f"- Audience: {course.audience}",
        f"- Format: {course.format}",
        f"- Sponsor: {config['SPONSOR_NAME']} ({config['SPONSOR_CONTACT']})",
        "",
        "## Description",
        "",
        plain(course.description_html),
        "",
        "## Learning objectives",
        "",
        *(f"{n}. {objective}" for n, objective in enumerate(course.objectives, start=1)),
        "",
        "## Outline",
        "",
    ]
    for number, module in enumerate(course.modules, start=1):
        title = course.title if course.single_page else f"Module {number}: {module.title}"
        lines.append(f"- {title}")
        lines += [f"  - {section.title}" for section in module.sections]
    lines += ["", "## Presenters", ""]
    for presenter in course.presenters:
        credentials = f", {presenter.credentials}" if presenter.credentials else ""
        lines += [f"### {presenter.name}{credentials}", "", plain(presenter.bio_html), ""]
    lines += ["## Continuing education credit", ""]
    if credits:
        for credit in credits:
            lines += [f"- **{credit.heading()}**", f"  {credit.statement}"]
    else:
        lines.append("No accredited credit: learners receive a Certificate of Completion.")
    if course.not_approved_by:
        refused = ", ".join(body_name(b) for b in course.not_approved_by)
        lines += ["", f"Not approved for credit by: {refused}."]
    items = len(spec.items)
    attempts = "unlimited" if policy.max_attempts is None else str(policy.max_attempts)
    lines += [
        "",
        "## Post-test",
        "",
        f"- {items} items ({items / float(course.ce_hours):.1f} per CE hour); "
        f"pass mark {policy.pass_threshold}%; attempts: {attempts}; "
        f"wait between attempts: {policy.wait_minutes} minutes.",
        "- Before a pass the learner sees the score and the sections to review, never which "
        "answers were right (the key is in answer-key.txt).",
        f"- Course evaluation before the certificate: "
        f"{'required' if course.evaluation.required else 'optional'} (evaluation-form.md).",
        "",
        "## References",
        "",
        *(f"- {reference}" for reference in course.references),
        "",
    ]
    return "\n".join(lines)


def answer_key_text(spec: CourseSpec) -> str:
    """The answer key for a person: each statement and its answer."""
    lines = []
    for number, item in enumerate(spec.items, start=1):
        answer = item_type(item["kind"]).label(item["options"], item["answer"])
        lines += [f"{number}. {item['statement']}", f"   Answer: {answer}", ""]
    return "\n".join(lines)


def evaluation_text(spec: CourseSpec) -> str:
    """The evaluation form's questions and choices, in Markdown."""
    course = CourseContent.from_json(spec.content)
    with current_app.test_request_context():
        form = evaluation_form(course.objectives, meta={"csrf": False})
        lines = [f"# Course evaluation: {course.title}", ""]
        number = 0
        for field in form:
            if field.type in ("SubmitField", "CSRFTokenField"):
                continue
            number += 1
            lines.append(f"{number}. {field.label.text}")
            choices = getattr(field, "choices", None)
            if choices:
                lines += [f"   - ( ) {choice.label}" for choice in field.choices]
            else:
                lines.append("   (free text)")
            lines.append("")
    return "\n".join(lines)


def sample_certificate(spec: CourseSpec, sponsor: Sponsor, today: date) -> bytes:
    """The certificate a learner would receive today, for a sample learner, marked SAMPLE and
    not signed (a specimen must not verify as a real certificate)."""
    course = CourseContent.from_json(spec.content)
    credits = _credits(course, sponsor, today)
    config = current_app.config
    items = len(spec.items)
    presenters = ", ".join(p.byline for p in course.presenters)
    data = CertificateData(
        number="SAMPLE",
        learner_name="Sample Learner",
        license_line="LCSW · License 00000 (CA)",
        course_title=course.title,
        presenters=presenters,
        ce_hours=format_hours(course.ce_hours),
        course_format=course.format,
        completion_date=long_date(today),
        score=f"{items} of {items} (100%)",
        sponsor_name=config["SPONSOR_NAME"],
        sponsor_contact=config["SPONSOR_CONTACT"],
        verify_url=f"{base_url()}/verify",
        administrator=config["CE_ADMINISTRATOR"],
        credits=tuple(credits),
        not_approved_by=tuple(body_name(b) for b in course.not_approved_by),
        signature_png=administrator_signature(),
        logo=sponsor_logo(),
        sample=True,
    )
    return render_certificate(data, paper=config["CERTIFICATE_PAPER"])


def estimate_text(courses_dir: Path, spec: CourseSpec) -> str:
    """The credit estimate, worked out, as `courses credit-estimate` prints it."""
    rows = estimate_rows(spec_estimate(courses_dir, spec))
    width = max(len(label) for label, _ in rows)
    lines = [f"Credit estimate: {spec.content['title']} ({spec.slug})", ""]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    lines += [
        "",
        "Lesson text is counted at the reading rate above (CEENGINE_READING_WPM); audio for as",
        "long as each file plays; video and exercises for their stated minutes; the quiz at one",
        "minute per item.",
    ]
    return "\n".join(lines) + "\n"


def write_packet(
    spec: CourseSpec, sponsor: Sponsor, out: Path, today: date, courses_dir: Path
) -> list[PacketFile]:
    """Write the packet's files into `out` (created); return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "syllabus.md": (
            syllabus(spec, sponsor, today),
            "objectives, outline, presenters and bios, credit and statements, post-test, "
            "references",
        ),
        "answer-key.txt": (answer_key_text(spec), "the post-test with its answers"),
        "answer-key.json": (
            json.dumps(answer_key(spec.items), indent=2, ensure_ascii=False) + "\n",
            "the same, for machines",
        ),
        "evaluation-form.md": (evaluation_text(spec), "the participant evaluation"),
    }
    files["credit-estimate.txt"] = (
        estimate_text(courses_dir, spec),
        "the time the course takes, worked out from words, media and quiz",
    )
    written = []
    for name, (text, about) in files.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(PacketFile(name, about))
    (out / "sample-certificate.pdf").write_bytes(sample_certificate(spec, sponsor, today))
    written.append(PacketFile("sample-certificate.pdf", "a sample certificate, marked SAMPLE"))
    index = [f"Accreditor packet: {spec.content['title']} ({spec.slug})", ""]
    index += [f"{f.name:24} {f.about}" for f in written]
    (out / "README.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    return [*written, PacketFile("README.txt", "this list")]
