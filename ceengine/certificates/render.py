"""The certificate PDF, drawn with ReportLab: pure code, same input gives the same bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfgen.canvas import Canvas

from ceengine.certificates.fonts import BOLD, REGULAR, draw_text, fit_size, register_fonts, wrap
from ceengine.certificates.ornaments import (
    ACCENT,
    GOLD,
    INK,
    MUTED,
    PANEL,
    draw_divider,
    draw_emblem,
    draw_frame,
    draw_logo,
    draw_qr,
    draw_signature,
)

PAGE_SIZES = {"letter": landscape(LETTER), "a4": landscape(A4)}
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
    logo: bytes | None = None  # the sponsor's logo (PNG or JPEG); a monogram emblem without
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


# The page, top to bottom: a header (logo, sponsor, title), the body (who, what, when), the
# credits panel, and a footer (signature on the left; number, verify line and QR on the
# right, where a board reviewer looks). The space left over is shared between the gaps, so
# a certificate without credit has no empty band and one with several approvals still fits.
MARGIN = 70  # text starts this far in from the page's edge
HEADER, COMPACT_HEADER, FOOTER_TOP = 168, 122, 128  # depths from the top; the footer's top


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    colour: Color
    before: float  # the space above it, stretched or squeezed with the page
    fixed: float = 0  # and space above it that stays (below the name's hairline)


def _body_lines(data: CertificateData, width: float) -> list[_Line]:
    name_size = fit_size(data.learner_name, BOLD, 30, 13, width)
    lines = [
        _Line("This certifies that", REGULAR, 12, MUTED, 6),
        _Line(data.learner_name, BOLD, name_size, INK, 14),
    ]
    if data.license_line:
        lines.append(_Line(data.license_line, REGULAR, 10.5, MUTED, 6, 10))
    lines.append(
        _Line("has successfully completed", REGULAR, 12, MUTED, 12, 0 if data.license_line else 10)
    )
    for number, line in enumerate(wrap(data.course_title, BOLD, 18, width)[:3]):
        lines.append(_Line(line, BOLD, 18, INK, 12 if number == 0 else 4))
    facts = (
        f"{data.hours_text}  ·  {data.course_format}  ·  Completed "
        f"{data.completion_date}  ·  Score {data.score}"
    )
    lines.append(_Line(f"Presented by {data.presenters}", REGULAR, 10.5, MUTED, 10))
    lines.append(_Line(facts, REGULAR, 10.5, MUTED, 6))
    return lines


def _credit_lines(data: CertificateData, size: float, width: float) -> list[tuple[str, str]]:
    """(font, line) pairs of the credits block at font `size`."""
    lines: list[tuple[str, str]] = []
    for number, credit in enumerate(data.credits):
        if number:
            lines.append((REGULAR, ""))  # a little space between approvals
        lines += [(BOLD, line) for line in wrap(credit.heading(), BOLD, size, width)]
        lines += [(REGULAR, line) for line in wrap(credit.statement, REGULAR, size, width)]
    if data.credit_note:
        if data.credits:
            lines.append((REGULAR, ""))
        lines += [(BOLD, line) for line in wrap(data.credit_note, BOLD, size, width)]
    return lines


def _lines_height(lines: list[tuple[str, str]], size: float) -> float:
    return sum(size * (0.6 if not line else 1.3) for _, line in lines)


def _panel_height(data: CertificateData, size: float, width: float) -> float:
    """The credits panel's height at text `size`, padding and heading included."""
    heading = 16 if data.credits else 0
    text_width = width - 2 * MARGIN - 28
    return _lines_height(_credit_lines(data, size, text_width), size) + heading + 16


def _credits_size(data: CertificateData, width: float, room: float) -> float | None:
    """The largest size (9 to 6 pt) at which the credits panel fits in `room`, or None."""
    size = 9.0
    while _panel_height(data, size, width) > room:
        if size <= 6:
            return None
        size -= 0.5
    return size


def _draw_header(
    canvas: Canvas, data: CertificateData, width: float, height: float, compact: bool
) -> None:
    """Logo above the sponsor and title; when `compact` (credits need the room), beside them."""
    centre, depth = width / 2, COMPACT_HEADER if compact else HEADER
    if compact:
        draw_logo(canvas, data.logo, data.sponsor_name, MARGIN + 30, height - 50, 46)
        top = height - 54
    else:
        draw_logo(canvas, data.logo, data.sponsor_name, centre, height - 40, 46)
        top = height - 100
    canvas.setFillColor(ACCENT)
    eyebrow = data.sponsor_name.upper()
    size = fit_size(eyebrow, BOLD, 10, 7, width - 2 * MARGIN - (140 if compact else 0))
    draw_text(canvas, centre, top, eyebrow, BOLD, size, "centre")
    draw_text(canvas, centre, top - 33, "Certificate of Completion", BOLD, 29, "centre")
    canvas.setFillColor(MUTED)
    draw_text(canvas, centre, top - 52, "Continuing Education", REGULAR, 12, "centre")
    draw_divider(canvas, centre, height - depth + 4, 90)


def _draw_body(canvas: Canvas, lines: list[_Line], centre: float, top: float, stretch: float):
    """The centred lines from `top` down, their gaps times `stretch`; where they end."""
    y = top
    for number, line in enumerate(lines):
        y -= line.fixed + line.before * stretch + line.size
        canvas.setFillColor(line.colour)
        draw_text(canvas, centre, y, line.text, line.font, line.size, "centre")
        if number == 1:  # a hairline under the learner's name
            canvas.setStrokeColor(GOLD)
            canvas.setLineWidth(0.5)
            canvas.line(centre - 170, y - 9, centre + 170, y - 9)
    return y - 6


def _draw_lines(canvas: Canvas, lines: list[tuple[str, str]], left: float, y: float, size: float):
    for font, line in lines:
        if line:
            canvas.setFillColor(ACCENT if font == BOLD else INK)
            draw_text(canvas, left, y - size, line, font, size)
        y -= size * (0.6 if not line else 1.3)
    return y


def _draw_panel(
    canvas: Canvas, data: CertificateData, size: float | None, top: float, width: float
) -> None:
    """The credits panel from `top` down: every credit, or a pointer to the pages after."""
    inner = width - 2 * MARGIN
    if size is None:
        size = 9.0
        lines = [
            (
                BOLD,
                f"Continuing education credit from {len(data.credits)} approvals: "
                "see the pages that follow.",
            )
        ]
        height = _lines_height(lines, size) + 16
    else:
        lines = _credit_lines(data, size, inner - 28)
        height = _panel_height(data, size, width)
    canvas.setFillColor(PANEL)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.5)
    canvas.rect(MARGIN, top - height, inner, height, stroke=1, fill=1)
    y = top - 8
    if data.credits and len(lines) > 1:
        canvas.setFillColor(GOLD)
        draw_text(canvas, MARGIN + 14, y - 8, "CONTINUING EDUCATION CREDIT", BOLD, 7.5)
        y -= 16
    if not data.credits:
        canvas.setFillColor(INK)
        draw_text(canvas, width / 2, y - size, lines[0][1], BOLD, size, "centre")
        return
    _draw_lines(canvas, lines, MARGIN + 14, y, size)


def _draw_footer(canvas: Canvas, data: CertificateData, width: float) -> None:
    """Signature, administrator and sponsor on the left; number, verify line, QR on the right."""
    draw_signature(canvas, data.signature_png, MARGIN, 84)
    canvas.setFillColor(INK)
    draw_text(canvas, MARGIN, 72, data.administrator, REGULAR, 9.5)
    canvas.setFillColor(MUTED)
    sponsor = f"{data.sponsor_name} · {data.sponsor_contact}"
    draw_text(canvas, MARGIN, 59, sponsor, REGULAR, fit_size(sponsor, REGULAR, 8.5, 6, 240))
    qr_size = 78
    qr_left = width - MARGIN - qr_size
    draw_qr(canvas, data.verify_url, qr_left, 44, qr_size)
    right, room = qr_left - 12, qr_left - 12 - (MARGIN + 250)
    canvas.setFillColor(INK)
    number = f"Certificate number {data.number}"
    draw_text(canvas, right, 98, number, BOLD, fit_size(number, BOLD, 10.5, 7, room), "right")
    verify = f"Verify at {data.verify_url}"
    draw_text(canvas, right, 84, verify, REGULAR, fit_size(verify, REGULAR, 8.5, 6, room), "right")
    canvas.setFillColor(MUTED)
    draw_text(canvas, right, 71, "Scan the code to check it online", REGULAR, 8, "right")


def _credits_layout(
    data: CertificateData, width: float, room: float, natural: float, gaps: float
) -> float | None:
    """The credits' text size with the body at its natural spacing, or squeezed to half."""
    size = _credits_size(data, width, room - natural)
    if size is None:
        size = _credits_size(data, width, room - natural + gaps / 2)
    return size


def _draw_first_page(canvas: Canvas, data: CertificateData, width: float, height: float) -> bool:
    """Header, body, credits and footer, the spare room shared out; False when the credits
    need pages of their own."""
    lines = _body_lines(data, width - 2 * MARGIN)
    gaps = sum(line.before for line in lines)
    natural = sum(line.fixed + line.before + line.size for line in lines) + 6
    compact = False
    room = height - HEADER - FOOTER_TOP - 16  # minus a gap between body and panel
    size = _credits_layout(data, width, room, natural, gaps)
    if size is None or size < 8:  # the logo moves beside the title to give the credits room
        compact, room = True, room + HEADER - COMPACT_HEADER
        size = _credits_size(data, width, room - natural + gaps / 2)  # the credits first
    depth = COMPACT_HEADER if compact else HEADER
    _draw_header(canvas, data, width, height, compact)
    panel = _panel_height(data, size, width) if size is not None else 30
    spare = room - natural - panel
    stretch = max(0.5, min(1 + spare / gaps, 1.7))
    left_over = max(0, spare - (stretch - 1) * gaps)
    top = height - depth - left_over / 3
    end = _draw_body(canvas, lines, width / 2, top, stretch)
    _draw_panel(canvas, data, size, end - 16 - left_over / 3, width)
    _draw_footer(canvas, data, width)
    return size is not None


def _draw_credit_pages(canvas: Canvas, data: CertificateData, width: float, height: float) -> None:
    """More approvals than page 1 holds: they follow on pages of their own, never cut."""
    size = 9.0
    lines = _credit_lines(data, size, width - 2 * MARGIN)
    per_page = int((height - 190) / (size * 1.3))
    for start in range(0, len(lines), per_page):
        canvas.showPage()
        draw_frame(canvas, width, height)
        draw_emblem(canvas, data.sponsor_name, MARGIN + 18, height - 72, 36)
        canvas.setFillColor(ACCENT)
        title = f"Continuing education credit · {data.learner_name}"
        draw_text(canvas, MARGIN + 48, height - 70, title, BOLD, 13)
        canvas.setFillColor(MUTED)
        number = f"Certificate number {data.number}"
        draw_text(canvas, MARGIN + 48, height - 86, number, REGULAR, 9.5)
        draw_divider(canvas, width / 2, height - 104, width / 2 - MARGIN)
        _draw_lines(canvas, lines[start : start + per_page], MARGIN, height - 116, size)
        canvas.setFillColor(MUTED)
        draw_text(canvas, MARGIN, 50, f"Verify at {data.verify_url}", REGULAR, 8.5)


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
    draw_frame(canvas, width, height)
    fits = _draw_first_page(canvas, data, width, height)
    if data.sample:
        _draw_sample_mark(canvas, width, height)
    if not fits:
        _draw_credit_pages(canvas, data, width, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
