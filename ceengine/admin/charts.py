"""Bar charts drawn on the server as SVG (no script); pages pair each with a table."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH, WIDTH = 22, 6, 70, 110, 420


@dataclass(frozen=True)
class Bar:
    """One bar, placed: its label, the value text, and the rectangle."""

    label: str
    text: str
    y: int
    length: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, ready for the template to draw."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_space: int


def bar_chart(values: list[tuple[str, float, str]]) -> Chart:
    """A chart of (label, value, text shown beside the bar), longest bar = the largest value."""
    largest = max((value for _, value, _ in values), default=0) or 1
    space = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(label, text, i * (BAR_HEIGHT + GAP), space * value / largest)
        for i, (label, value, text) in enumerate(values)
    ]
    return Chart(
        bars, WIDTH, max(len(bars) * (BAR_HEIGHT + GAP) - GAP, BAR_HEIGHT), LABEL_WIDTH, space
    )
