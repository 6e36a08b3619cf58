"""Reading the admin reports: the fixture courses' titles, the data behind the report
fixtures (tests/admin/conftest.py), and the report pages, tables and CSV exports."""

from __future__ import annotations

import csv
import io
import re

from tests.support.html import html_of, table_with

LESSON, MODULES = "Demo Lesson on Kindness", "Demo Modules on Compassion"
HOSTILE = '<script>alert(1)</script> <a href="https://evil.test/">click me</a>'

RATINGS = [
    (5, "2024-01-10", "Loved the breathing practice."),
    (5, "2024-01-20", ""),
    (4, "2024-02-03", "Good pace."),
    (3, "2024-02-14", ""),
    (1, "2024-02-25", "Too short for an hour."),
]

# The lesson's six items, answered right (1) or wrong (0), one row per attempt. Item 1 is
# always right, item 6 right once in seven: both get a flag.
PATTERNS = [
    [1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 0, 0],
    [1, 1, 0, 1, 1, 1],
    [1, 0, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 0],
    [1, 0, 0, 1, 0, 0],
    [1, 1, 0, 0, 1, 0],
]


def page(client, address: str):
    """GET an admin page that must be there."""
    response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return response


def body_rows(rows: list[list[str]]) -> list[list[str]]:
    """A table's rows without its header row."""
    return rows[1:]


def results_rows(response) -> list[list[str]]:
    return body_rows(table_with(response, "Results per course version"))


def item_rows(response) -> list[list[str]]:
    return body_rows(table_with(response, "Figures per quiz item"))


def _csv_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV export, its header first."""
    return list(csv.reader(io.StringIO(_csv_text(response))))


def csv_records(response) -> list[dict[str, str]]:
    """The rows of a CSV export, each by its column names."""
    return list(csv.DictReader(io.StringIO(_csv_text(response))))


def sections_in(response) -> dict[str, str]:
    """The report sections of a page by their <h2> heading: raw HTML of each."""
    html = html_of(response)
    parts = re.split(r'<section class="report-course"', html)[1:]
    found = {}
    for part in parts:
        part = part.split("</section>")[0]
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", part, re.S)
        title = re.sub(r"<[^>]+>", " ", heading.group(1))
        found[" ".join(title.split())] = part
    return found
