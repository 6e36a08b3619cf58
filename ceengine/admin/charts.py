"""Bar charts drawn on the server as SVG (no script); pages pair each with a table.

Readable at any width: the SVG scales down with the page (`max-width: 100%`) but never
below `MIN_WIDTH` CSS px (static/css/site.css), so its `FONT_SIZE` text is always at least
12 CSS px as rendered. Months with no data are kept as empty slots (`month_slots`), so a gap
in the data shows as a gap in the chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH, WIDTH = 24, 6, 74, 124, 380
FONT_SIZE = 15  # user units; the same number is in site.css (.chart-label, .chart-value)
SMALLEST_TEXT = 12  # CSS px as rendered
MIN_WIDTH = WIDTH * SMALLEST_TEXT / FONT_SIZE  # 304: site.css's svg.chart min-width
MAX_MONTHS = 120  # a wider chosen period shows only the months from the first to the last data


@dataclass(frozen=True)
class Bar:
    """One bar, placed: its label, the value text, and the rectangle (empty: no data)."""

    label: str
    text: str
    y: int
    length: float
    empty: bool = False


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, ready for the template to draw."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_space: int
    bar_height: int = BAR_HEIGHT


def bar_chart(values: list[tuple[str, float | None, str]]) -> Chart:
    """A chart of (label, value, text shown beside the bar), longest bar = the largest value.
    A value of None is an empty slot: the label and the text, no bar."""
    largest = max((value or 0 for _, value, _ in values), default=0) or 1
    space = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(label, text, i * (BAR_HEIGHT + GAP), space * (value or 0) / largest, value is None)
        for i, (label, value, text) in enumerate(values)
    ]
    return Chart(
        bars, WIDTH, max(len(bars) * (BAR_HEIGHT + GAP) - GAP, BAR_HEIGHT), LABEL_WIDTH, space
    )


def _month_index(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_slots(present: Iterable[str], start: date | None, end: date | None) -> list[str]:
    """Every 'YYYY-MM' month of the chosen period, in order, with or without data.

    The period runs from the month of `start` (or, open-ended, the first month with data) to
    the month of `end` (or the last month with data). A period of more than MAX_MONTHS months
    is narrowed to the months from the first to the last with data.
    """
    months = sorted({_month_index(label) for label in present})
    first = start.year * 12 + start.month - 1 if start else (months[0] if months else None)
    last = end.year * 12 + end.month - 1 if end else (months[-1] if months else None)
    if first is None or last is None:
        return [_month_label(i) for i in months]
    if last - first >= MAX_MONTHS:
        if not months:
            return []
        first, last = max(first, months[0]), min(last, months[-1])
    return [_month_label(i) for i in sorted({*range(first, last + 1), *months})]
