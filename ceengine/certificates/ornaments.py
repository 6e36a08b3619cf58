"""What a certificate is drawn with besides its words: the frame, the sponsor's logo or a
monogram emblem, the signature, the QR code. Pure ReportLab, no Flask."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ceengine.certificates.fonts import BOLD, draw_text, fit_size

INK, ACCENT, MUTED = HexColor("#1d2530"), HexColor("#16486a"), HexColor("#4f5b69")
GOLD, PANEL = HexColor("#a8832f"), HexColor("#f2f5f8")
_SMALL_WORDS = {"of", "the", "and", "for", "in", "on", "at", "a", "an", "&", "·", "-"}


def monogram(name: str) -> str:
    """Up to three initials of the sponsor's name: "Compassion CE Institute" → "CCI"."""
    words = [w for w in name.split() if w.lower() not in _SMALL_WORDS and w[0].isalnum()]
    return "".join(w[0] for w in words[:3]).upper() or "CE"


@lru_cache(maxsize=4)
def _image(data: bytes) -> ImageReader:
    """A configured image read once per process (the same bytes for every certificate)."""
    return ImageReader(io.BytesIO(data))


def draw_frame(canvas: Canvas, width: float, height: float) -> None:
    """A double rule, navy outside and gold inside, with small gold corner squares."""
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.5)
    canvas.rect(20, 20, width - 40, height - 40)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(28, 28, width - 56, height - 56)
    canvas.setFillColor(GOLD)
    for x, y in ((28, 28), (width - 28, 28), (28, height - 28), (width - 28, height - 28)):
        canvas.rect(x - 3, y - 3, 6, 6, stroke=0, fill=1)


def draw_emblem(canvas: Canvas, name: str, x: float, y: float, size: float) -> None:
    """A round monogram seal of the sponsor's name, centred on (x, y), `size` across."""
    radius = size / 2
    canvas.setFillColor(ACCENT)
    canvas.circle(x, y, radius, stroke=0, fill=1)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.circle(x, y, radius - 3, stroke=1, fill=0)
    canvas.setLineWidth(0.5)
    canvas.circle(x, y, radius - 5.5, stroke=1, fill=0)
    letters = monogram(name)
    canvas.setFillColor(Color(1, 1, 1))
    font_size = fit_size(letters, BOLD, size * 0.36, 6, size * 0.62)
    draw_text(canvas, x, y - font_size * 0.36, letters, BOLD, font_size, "centre")


def draw_logo(
    canvas: Canvas, logo: bytes | None, name: str, x: float, top: float, height: float
) -> None:
    """The sponsor's logo centred on x below `top` (at most 3:1 wide), or its emblem."""
    if logo is None:
        draw_emblem(canvas, name, x, top - height / 2, height)
        return
    canvas.drawImage(
        _image(logo),
        x - height * 1.5,
        top - height,
        width=height * 3,
        height=height,
        preserveAspectRatio=True,
        anchor="c",
        mask="auto",
    )


def draw_signature(canvas: Canvas, signature: bytes | None, left: float, line_y: float) -> None:
    """The CE administrator's signature above the line, or the line alone to sign by hand."""
    if signature is not None:
        canvas.drawImage(
            _image(signature),
            left,
            line_y + 3,
            width=170,
            height=38,
            preserveAspectRatio=True,
            anchor="sw",
            mask="auto",
        )
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.7)
    canvas.line(left, line_y, left + 220, line_y)


def draw_divider(canvas: Canvas, x: float, y: float, half: float) -> None:
    """A thin gold rule with a small diamond at its centre."""
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.6)
    canvas.line(x - half, y, x - 6, y)
    canvas.line(x + 6, y, x + half, y)
    canvas.setFillColor(GOLD)
    path = canvas.beginPath()
    path.moveTo(x, y + 3)
    path.lineTo(x + 3, y)
    path.lineTo(x, y - 3)
    path.lineTo(x - 3, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The verification address as a QR code, drawn as vector squares, lower left at (x, y)."""
    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix)
    cell = size / len(rows)
    canvas.setFillColor(INK)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)
