"""Charts people can read: every month of the period has its slot (empty without data), the
labels are at least 12 px as rendered, and the item analysis says which version it shows."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ceengine.admin.charts import FONT_SIZE, MIN_WIDTH, SMALLEST_TEXT, WIDTH, month_slots
from ceengine.courses.services import sync_courses
from tests.support.factories import version_of
from tests.support.html import html_of, table_with, text_of
from tests.support.reports import LESSON, page, sections_in

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def css_rule(selector: str) -> str:
    """The declarations of the stylesheet's rule for exactly `selector`."""
    found = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", CSS.read_text())
    assert found, selector
    return found.group(1)


def svg_charts(html: str) -> list[str]:
    return re.findall(r'<svg class="chart".*?</svg>', html, re.S)


# --- months without data -------------------------------------------------------------------


def test_month_slots_fill_the_chosen_period_and_keep_gaps():
    assert month_slots(["2024-01", "2024-03"], None, None) == ["2024-01", "2024-02", "2024-03"]
    assert month_slots(["2024-01"], date(2023, 11, 5), date(2024, 2, 29)) == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    assert month_slots(["2024-12", "2025-01"], None, None) == ["2024-12", "2025-01"]
    # a period of centuries shows the months from the first to the last with data
    assert month_slots(["2024-01", "2024-03"], date(1900, 1, 1), date(9999, 12, 31)) == [
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert month_slots([], date(1900, 1, 1), date(9999, 12, 31)) == []


def test_a_month_without_ratings_is_an_empty_slot_in_the_trend(rated, admin):
    # ratings in January and February 2024; the chosen period runs December to March
    lesson = sections_in(page(admin, "/admin/ratings?start=2023-12-01&end=2024-03-31"))[LESSON]

    assert table_with(lesson, "Rating by month") == [
        ["Month", "Votes", "Rating"],
        ["2023-12", "0", "no votes"],
        ["2024-01", "2", "100%"],
        ["2024-02", "3", "53%"],
        ["2024-03", "0", "no votes"],
    ]
    trend = svg_charts(lesson)[1]
    labels = re.findall(r'class="chart-label">([^<]*)</text>', trend)
    assert labels == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert len(re.findall(r'class="chart-slot"', trend)) == 2  # December and March
    assert len(re.findall(r'class="chart-bar"', trend)) == 2
    assert trend.count(">no votes</text>") == 2


def test_without_dates_the_trend_runs_from_the_first_to_the_last_month_rated(rated, admin):
    lesson = sections_in(page(admin, "/admin/ratings"))[LESSON]
    assert [row[0] for row in table_with(lesson, "Rating by month")[1:]] == ["2024-01", "2024-02"]


# --- label sizes ---------------------------------------------------------------------------


def test_chart_labels_are_at_least_12_px_as_rendered(rated, admin):
    text_rule = css_rule(".chart-label, .chart-value")
    font = float(re.search(r"font:\s*([\d.]+)px", text_rule).group(1))
    svg_rule = css_rule("svg.chart")
    narrowest = float(re.search(r"min-width:\s*([\d.]+)px", svg_rule).group(1))
    assert (font, narrowest) == (FONT_SIZE, MIN_WIDTH)
    assert "max-width: 100%" in svg_rule and "height: auto" in svg_rule

    html = html_of(page(admin, "/admin/ratings"))
    charts = svg_charts(html)
    assert charts
    for chart in charts:
        width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', chart).group(1))
        shown = float(re.search(r' width="([\d.]+)"', chart).group(1))
        assert width == shown == WIDTH
        # scaled down to its narrowest, the text is still 12 CSS px or more
        assert font * narrowest / width >= SMALLEST_TEXT
        # every text takes its size from the stylesheet: no size of its own, no inline style
        texts = re.findall(r"<text ([^>]*)>", chart)
        assert texts
        for attributes in texts:
            assert "font" not in attributes and "style" not in attributes
            assert re.search(r'class="chart-(label|value)', attributes)
        assert "style=" not in chart


# --- the item analysis names its version ---------------------------------------------------


def test_item_analysis_says_which_version_it_shows_and_offers_the_others(
    synced, courses_dir, admin
):
    first = version_of("demo-lesson")
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace(
            "statement: Self-compassion has three parts.",
            "statement: Self-compassion has three parts, as Neff describes it.",
        )
    )
    sync_courses(courses_dir)
    second = version_of("demo-lesson")

    old = html_of(page(admin, f"/admin/results/versions/{first.id}"))
    new = html_of(page(admin, f"/admin/results/versions/{second.id}"))
    filter_form = re.search(r'<form method="get" class="filters".*?</form>', new, re.S).group(0)
    assert "Showing version 2 (current)" in text_of(filter_form)
    assert "Showing version 1" in text_of(old) and "Showing version 1 (current)" not in old
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', filter_form)
    assert options == [
        (str(second.id), " selected", "Version 2 (current)"),
        (str(first.id), "", "Version 1"),
    ]
    # choosing version 1 in the menu opens its page, keeping the dates
    response = admin.get(f"/admin/results/versions/{second.id}?version={first.id}&start=2024-01-01")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/admin/results/versions/{first.id}?start=2024-01-01"
    )
    # a version of another course, or none at all, leaves the page as it is
    other = version_of("demo-modules")
    assert admin.get(f"/admin/results/versions/{second.id}?version={other.id}").status_code == 200
    assert admin.get(f"/admin/results/versions/{second.id}?version=x").status_code == 200
    assert LESSON in text_of(old)
