"""Fonts for certificates: DejaVu for most scripts, Droid Sans Fallback (Chinese, Japanese)
and Nanum Gothic (Korean) where DejaVu has no glyph.

ReportLab has no font fallback, so text is split into runs by which font has each glyph.
Right-to-left text is shaped (Arabic) and put in visual order (python-bidi) first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
REGULAR, BOLD, CJK, KOREAN = "DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"
_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
    KOREAN: "NanumGothic.ttf",
}
FALLBACKS = (CJK, KOREAN)
# Word ligatures (Allah, Muhammad, …) are single code points no embedded font draws: keep
# only the lam-alef ones, which every Arabic font has, so "عبد الله" prints its letters.
_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={
        name: False
        for name, _ in arabic_reshaper.ligatures.LIGATURES
        if "LAM WITH ALEF" not in name
    }
)


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the embedded fonts with ReportLab once per process."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


def _has_glyph(font_name: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font_name).face.charToGlyph


def visual_order(text: str) -> str:
    """Shape Arabic and reorder right-to-left runs for drawing left to right."""
    if any("\u0590" <= c <= "\u08ff" or "\ufb1d" <= c <= "\ufefc" for c in text):
        return get_display(_RESHAPER.reshape(text))
    return text


@lru_cache(maxsize=4096)
def runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """Split `text` into (font, text) runs so every character has a glyph (cached: the
    layout measures the same words at several sizes)."""
    register_fonts()
    result: list[tuple[str, str]] = []
    for char in visual_order(text):
        chosen = font
        if not (char.isspace() or _has_glyph(font, char)):
            chosen = next((f for f in FALLBACKS if _has_glyph(f, char)), font)
        if result and result[-1][0] == chosen:
            result[-1] = (chosen, result[-1][1] + char)
        else:
            result.append((chosen, char))
    return tuple(result)


@lru_cache(maxsize=8192)
def text_width(text: str, font: str, size: float) -> float:
    """Width of `text` in points, across fallback runs."""
    return sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text, font))


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, align: str = "left"
) -> None:
    """Draw `text` at (x, y), aligned left, centre or right, switching fonts as needed."""
    width = text_width(text, font, size)
    start = {"left": x, "centre": x - width / 2, "right": x - width}[align]
    for name, part in runs(text, font):
        canvas.setFont(name, size)
        canvas.drawString(start, y, part)
        start += pdfmetrics.stringWidth(part, name, size)


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
