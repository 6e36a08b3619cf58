"""The certificate PDF, drawn with ReportLab: pure code, same input gives the same bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ceengine.certificates.fonts import BOLD, REGULAR, draw_text, register_fonts, text_width

PAGE_SIZES = {"letter": landscape(LETTER), "a4": landscape(A4)}
INK, ACCENT, MUTED = HexColor("#1d2530"), HexColor("#16486a"), HexColor("#4f5b69")
NO_CREDIT = "This course carries no accredited continuing education credit."


@dataclass(frozen=True)
class PrintedCredit:
    """One approval's credit as printed: the body, provider, hours and type, and statement."""

    short: str
    body_name: str
    provider: str
    number: str
    period: str
    amount: str
    format: str
    statement: str
    # Not printed as such; carried into the Open Badge credential.
    body: str = ""
    body_url: str = ""
    hours: str = ""
    credit_type: str = ""

    @classmethod
    def from_printed(cls, data: dict) -> PrintedCredit:
        """From the stored form (`approvals.Credit.printed`)."""
        return cls(
            short=data["short"],
            body_name=data["body_name"],
            provider=data["provider"],
            number=data.get("number", ""),
            period=data.get("period", ""),
            amount=data["amount"],
            format=data.get("format", ""),
            statement=data["statement"],
            body=data.get("body", ""),
            body_url=data.get("body_url", ""),
            hours=data.get("hours", ""),
            credit_type=data.get("credit_type", ""),
        )

    def heading(self) -> str:
        """'ASWB ACE: 2 continuing education hours (clinical) · Provider #1234 · Approval
        period: …'."""
        parts = [f"{self.short}: {self.amount}"]
        if self.format:
            parts.append(self.format)
        if self.number:
            parts.append(f"Provider {self.provider}, #{self.number}")
        if self.period:
            parts.append(f"Approval period {self.period}")
        return " · ".join(parts)


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate."""

    number: str
    learner_name: str
    course_title: str
    presenters: str
    ce_hours: str
    course_format: str
    completion_date: str
    score: str
    sponsor_name: str
    sponsor_contact: str
    verify_url: str
    administrator: str
    license_line: str = ""
    credits: tuple[PrintedCredit, ...] = field(default_factory=tuple)
    not_approved_by: tuple[str, ...] = field(default_factory=tuple)
    signature_png: bytes | None = None
    sample: bool = False  # a specimen for an accreditor: SAMPLE across the page

    @property
    def hours_text(self) -> str:
        """'2 CE hours' with accredited credit, '2 hours' of instruction without."""
        if self.credits:
            return f"{self.ce_hours} {'CE hour' if self.ce_hours == '1' else 'CE hours'}"
        return f"{self.ce_hours} {'hour' if self.ce_hours == '1' else 'hours'}"

    @property
    def credit_note(self) -> str:
        """The line under the credits: what the course is not approved for, or no credit."""
        if not self.credits:
            return NO_CREDIT
        if self.not_approved_by:
            return f"Not approved for credit by: {', '.join(self.not_approved_by)}."
        return ""


def fit_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest font size (down to `smallest`) at which `text` fits in `width`."""
    size = largest
    while size > smallest and text_width(text, font, size) > width:
        size -= 0.5
    return size


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (a too-long word stays whole)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The verification address as a QR code, drawn as vector squares."""
    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix)
    cell = size / len(rows)
    canvas.setFillColor(INK)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _draw_frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.75)
    canvas.rect(32, 32, width - 64, height - 64)


def _draw_body(canvas: Canvas, data: CertificateData, width: float, height: float) -> float:
    centre, usable = width / 2, width - 160
    canvas.setFillColor(ACCENT)
    draw_text(canvas, centre, height - 92, "Certificate of Completion", BOLD, 30, "centre")
    canvas.setFillColor(MUTED)
    draw_text(canvas, centre, height - 116, "Continuing Education", REGULAR, 13, "centre")
    draw_text(canvas, centre, height - 150, "This certifies that", REGULAR, 12, "centre")
    canvas.setFillColor(INK)
    size = fit_size(data.learner_name, BOLD, 26, 12, usable)
    draw_text(canvas, centre, height - 184, data.learner_name, BOLD, size, "centre")
    y = height - 204
    if data.license_line:
        canvas.setFillColor(MUTED)
        draw_text(canvas, centre, y, data.license_line, REGULAR, 10.5, "centre")
        y -= 18
    canvas.setFillColor(MUTED)
    draw_text(canvas, centre, y - 4, "has successfully completed", REGULAR, 12, "centre")
    canvas.setFillColor(INK)
    title_lines = wrap(data.course_title, BOLD, 17, usable)[:3]
    y -= 30
    for line in title_lines:
        draw_text(canvas, centre, y, line, BOLD, 17, "centre")
        y -= 21
    canvas.setFillColor(MUTED)
    draw_text(canvas, centre, y - 2, f"Presented by {data.presenters}", REGULAR, 10.5, "centre")
    facts = (
        f"{data.hours_text}  ·  {data.course_format}  ·  Completed "
        f"{data.completion_date}  ·  Score {data.score}"
    )
    draw_text(canvas, centre, y - 20, facts, REGULAR, 10.5, "centre")
    return y - 40


def _credit_lines(data: CertificateData, size: float, width: float) -> list[tuple[str, str]]:
    """(font, line) pairs of the credits block at font `size`."""
    lines: list[tuple[str, str]] = []
    for number, credit in enumerate(data.credits):
        if number:
            lines.append((REGULAR, ""))  # a blank line between approvals
        lines += [(BOLD, line) for line in wrap(credit.heading(), BOLD, size, width)]
        lines += [(REGULAR, line) for line in wrap(credit.statement, REGULAR, size, width)]
    if data.credit_note:
        lines += [(BOLD, line) for line in wrap(data.credit_note, BOLD, size, width)]
    return lines


def _credits_fit(data: CertificateData, width: float, top: float, bottom: float) -> float | None:
    """The largest size (9 to 6 pt) at which the credits fit between top and bottom, or None."""
    size = 9.0
    while len(_credit_lines(data, size, width)) * size * 1.25 > top - bottom:
        if size <= 6:
            return None
        size -= 0.5
    return size


def _draw_lines(
    canvas: Canvas, lines: list[tuple[str, str]], left: float, y: float, size: float
) -> float:
    canvas.setFillColor(INK)
    for font, line in lines:
        if line:
            draw_text(canvas, left, y, line, font, size)
        y -= size * (0.6 if not line else 1.25)
    return y


def _draw_credit_pages(canvas: Canvas, data: CertificateData, width: float, height: float) -> None:
    """More approvals than page 1 holds: they follow on pages of their own, never cut."""
    left, size = 60, 9.0
    lines = _credit_lines(data, size, width - 2 * left)
    per_page = int((height - 140) / (size * 1.25))
    for start in range(0, len(lines), per_page):
        canvas.showPage()
        _draw_frame(canvas, width, height)
        canvas.setFillColor(ACCENT)
        draw_text(
            canvas,
            left,
            height - 76,
            f"Continuing education credit · {data.learner_name}",
            BOLD,
            13,
        )
        canvas.setFillColor(MUTED)
        draw_text(canvas, left, height - 94, f"Certificate number {data.number}", REGULAR, 9.5)
        _draw_lines(canvas, lines[start : start + per_page], left, height - 120, size)


def _draw_footer(canvas: Canvas, data: CertificateData, width: float, top: float) -> bool:
    """The credits, signature and verification; False when the credits need pages of their
    own (page 1 then says so)."""
    left, qr_size = 60, 92
    size = _credits_fit(data, width - 2 * left, top, 160)
    if size is not None:
        _draw_lines(canvas, _credit_lines(data, size, width - 2 * left), left, top, size)
    else:
        canvas.setFillColor(INK)
        note = (
            f"Continuing education credit from {len(data.credits)} approvals: "
            "see the pages that follow."
        )
        draw_text(canvas, left, top, note, BOLD, 9)
    canvas.setFillColor(INK)
    if data.signature_png:
        image = ImageReader(io.BytesIO(data.signature_png))
        canvas.drawImage(
            image,
            left,
            121,
            width=150,
            height=34,
            preserveAspectRatio=True,
            anchor="sw",
            mask="auto",
        )
    canvas.setStrokeColor(INK)
    canvas.line(left, 118, left + 220, 118)
    draw_text(canvas, left, 106, data.administrator, REGULAR, 9.5)
    draw_text(canvas, left, 86, f"{data.sponsor_name} · {data.sponsor_contact}", REGULAR, 9)
    draw_text(canvas, left, 72, f"Certificate number {data.number}", BOLD, 9.5)
    draw_text(canvas, left, 58, f"Verify at {data.verify_url}", REGULAR, 9)
    _draw_qr(canvas, data.verify_url, width - left - qr_size, 52, qr_size)
    return size is not None


def _draw_sample_mark(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setFillColor(HexColor("#c0392b"), alpha=0.18)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(24)
    draw_text(canvas, 0, -40, "SAMPLE", BOLD, 150, "centre")
    canvas.restoreState()


def render_certificate(data: CertificateData, paper: str = "letter") -> bytes:
    """The certificate as a landscape PDF (Letter or A4): one page, or more when the credits
    of many approvals do not fit on the first."""
    register_fonts()
    width, height = PAGE_SIZES[paper]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True, pageCompression=1)
    canvas.setTitle(f"CE certificate {data.number}")
    canvas.setAuthor(data.sponsor_name)
    _draw_frame(canvas, width, height)
    top = _draw_body(canvas, data, width, height)
    fits = _draw_footer(canvas, data, width, top)
    if data.sample:
        _draw_sample_mark(canvas, width, height)
    if not fits:
        _draw_credit_pages(canvas, data, width, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
