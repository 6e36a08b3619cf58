"""A handout as a clinician would print it: the course's Markdown worksheet set as a tidy PDF,
the course title and the sponsor in the header, page numbers in the footer, and writing lines
where the worksheet leaves room to write. Pure code: same input, same bytes.

What the Markdown may hold: headings, paragraphs with **bold** and *italic*, bullet and
numbered lists, pipe tables (empty cells become room to write), `---` rules, and a line of
underscores (`____`), which becomes a writing line; text before a run of underscores on the
same line ("My words: ____") becomes a label with the line after it.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from html import escape
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
REGULAR, BOLD = "HandoutSans", "HandoutSans-Bold"
INK, ACCENT, MUTED = (
    colors.HexColor("#1d2530"),
    colors.HexColor("#16486a"),
    colors.HexColor("#4f5b69"),
)
_BLANK = re.compile(r"_{4,}")


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=14.5, textColor=INK)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=18, leading=22, textColor=ACCENT
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD,
            fontSize=14,
            leading=18,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=12,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=2,
        ),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, spaceBefore=8),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12),
        "muted": ParagraphStyle("muted", parent=body, fontSize=9, textColor=MUTED),
    }


class WritingLine(Flowable):
    """Room to write: an optional label, then a rule to the right margin."""

    def __init__(self, label: str = "", style: ParagraphStyle | None = None) -> None:
        super().__init__()
        self.label, self.style = label, style

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 24

    def draw(self) -> None:
        canvas = self.canv
        start = 0.0
        if self.label and self.style is not None:
            canvas.setFont(REGULAR, self.style.fontSize)
            canvas.setFillColor(INK)
            canvas.drawString(0, 6, self.label)
            start = pdfmetrics.stringWidth(self.label, REGULAR, self.style.fontSize) + 6
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.6)
        canvas.line(start, 4, self.width, 4)


def _inline(tokens: list[Token]) -> str:
    """Inline Markdown as ReportLab's paragraph markup (text escaped, never markup)."""
    out = []
    for token in tokens:
        if token.type == "text":
            out.append(escape(token.content, quote=False))
        elif token.type in ("strong_open", "strong_close"):
            out.append("<b>" if token.type.endswith("open") else "</b>")
        elif token.type in ("em_open", "em_close"):
            out.append("<i>" if token.type.endswith("open") else "</i>")
        elif token.type == "code_inline":
            out.append(escape(token.content, quote=False))
        elif token.type in ("softbreak", "hardbreak"):
            out.append("<br/>")
    return "".join(out)


def _lines_of(inline: Token, style: ParagraphStyle) -> list[Flowable]:
    """A paragraph, with each line that leaves room to write made a writing line."""
    flowables: list[Flowable] = []
    pending: list[Token] = []

    def flush() -> None:
        text = _inline(pending).strip()
        while text.startswith("<br/>"):
            text = text[5:]
        while text.endswith("<br/>"):
            text = text[:-5]
        if text.strip():
            flowables.append(Paragraph(text, style))
        pending.clear()

    for token in inline.children or []:
        if token.type == "text" and _BLANK.search(token.content):
            label = _BLANK.split(token.content)[0].strip()
            head = _inline(pending).replace("<br/>", "").strip()
            if head and not label:
                flush()
            elif head:
                label = f"{re.sub(r'<[^>]+>', '', head)} {label}".strip()
                pending.clear()
            flush()
            flowables.append(WritingLine(label, style))
        else:
            pending.append(token)
    flush()
    return flowables


def _table(tokens: list[Token], start: int, styles: dict) -> tuple[Table, int]:
    rows: list[list[Paragraph]] = []
    index = start + 1
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            text = _BLANK.sub("", _inline(token.children or []))
            if len(rows) == 1 and text:
                text = f"<b>{text}</b>"  # the header row
            rows[-1].append(Paragraph(text, styles["cell"]))
        index += 1
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("GRID", (0, 0), (-1, -1), 0.5, MUTED),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 1), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 9),
            ]
        )
    )
    return table, index


def _list(tokens: list[Token], start: int, styles: dict) -> tuple[ListFlowable, int]:
    ordered = tokens[start].type == "ordered_list_open"
    close = "ordered_list_close" if ordered else "bullet_list_close"
    items: list[ListItem] = []
    depth, index, current = 0, start + 1, []
    while not (tokens[index].type == close and depth == 0):
        token = tokens[index]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            nested, index = _list(tokens, index, styles)
            current.append(nested)
        elif token.type == "list_item_close":
            items.append(ListItem(list(current) or [Spacer(0, 0)]))
            current = []
        elif token.type == "inline":
            current.extend(_lines_of(token, styles["body"]))
        index += 1
    flowable = ListFlowable(
        items,
        bulletType="1" if ordered else "bullet",
        bulletFormat="%s." if ordered else None,
        start=int(tokens[start].attrs.get("start", 1)) if ordered else None,
        bulletFontName=REGULAR,
        bulletFontSize=9 if not ordered else 10.5,
        leftIndent=16,
    )
    return flowable, index


def _flowables(markdown: str, styles: dict) -> list[Flowable]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    story: list[Flowable] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = min(int(token.tag[1]), 3)
            text = _inline(tokens[index + 1].children or [])
            story.append(Paragraph(text, styles[f"h{level}"]))
            index += 2
        elif token.type == "paragraph_open":
            story.extend(_lines_of(tokens[index + 1], styles["body"]))
            story.append(Spacer(0, 5))
            index += 2
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            flowable, index = _list(tokens, index, styles)
            story += [flowable, Spacer(0, 5)]
        elif token.type == "table_open":
            table, index = _table(tokens, index, styles)
            story += [table, Spacer(0, 8)]
        elif token.type == "hr":
            story.append(WritingLine())
        elif token.type in ("fence", "code_block"):
            for line in token.content.splitlines():
                story.append(Paragraph(escape(line, quote=False) or "&nbsp;", styles["body"]))
        index += 1
    return story


def render_handout(markdown: str, title: str, course_title: str, sponsor: str) -> bytes:
    """The handout as a PDF on US Letter, headed with its course and sponsor."""
    _fonts()
    styles = _styles()
    buffer = io.BytesIO()

    def header_footer(canvas, document) -> None:  # noqa: ANN001 - ReportLab's callback
        canvas.saveState()
        width, height = LETTER
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(document.leftMargin, height - 0.55 * inch, course_title)
        canvas.setFont(REGULAR, 9)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width - document.rightMargin, height - 0.55 * inch, sponsor)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        y = height - 0.62 * inch
        canvas.line(document.leftMargin, y, width - document.rightMargin, y)
        canvas.drawCentredString(width / 2, 0.5 * inch, f"{title} · page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
        topMargin=0.9 * inch,
        bottomMargin=0.8 * inch,
        title=title,
        author=sponsor,
        subject=course_title,
        invariant=1,
    )
    story = [KeepTogether([Paragraph(escape(title, quote=False), styles["title"]), Spacer(0, 6)])]
    story += _flowables(markdown, styles)
    document.build(story, onFirstPage=header_footer, onLaterPages=header_footer)
    return buffer.getvalue()
