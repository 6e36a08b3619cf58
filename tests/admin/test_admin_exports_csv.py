"""The CSV exports against formula injection (issue 13, finding 14), as an accreditor opens them.

A spreadsheet in a locale that splits on `;` (or a naive import that splits on `,`, tabs or
line breaks, ignoring quotes) starts a new cell after each separator: text a learner typed
must never start a cell with `=`, `+`, `-` or `@` there, whatever separator is used. Every
cell is quoted, and the numbers the site writes stay numbers.
"""

from __future__ import annotations

import csv
import io
import re

from tests.support.factories import at, attempt_with, certificate_row, evaluation_with

FORMULA_START = ("=", "+", "-", "@")
COMMENTS = {
    "semicolon": ("great course;=1+1", "great course;'=1+1"),
    "comma": (
        'fine,=HYPERLINK("https://evil.test","x")',
        'fine,\'=HYPERLINK("https://evil.test","x")',
    ),
    "tab": ("ok\t+1", "ok\t'+1"),
    "newline": ("line one\n@SUM(A1)", "line one\n'@SUM(A1)"),
    "crlf and spaces": ("thanks\r\n  -2+3", "thanks\r\n  '-2+3"),
    "quote after the separator": ('a;"=1+1', "a;\"'=1+1"),
    "at the start": ("=1+1", "'=1+1"),
    "plain": ('Fine,\n"mostly" - a good pace', 'Fine,\n"mostly" - a good pace'),
}


def download(admin, address: str) -> str:
    response = admin.get(address)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def all_quoted(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue()


def cells_a_careless_import_makes(raw: str) -> list[str]:
    """Split on every separator a spreadsheet may use, ignoring quotes, as some imports do."""
    return [piece.lstrip(' "') for piece in re.split(r"[;,\t\r\n]", raw)]


def assert_safe(raw: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(raw)))
    assert raw == all_quoted(rows)  # every cell is quoted
    for piece in cells_a_careless_import_makes(raw):
        assert not piece.startswith(FORMULA_START), piece
    return rows


def test_a_formula_after_any_separator_in_a_comment_is_kept_as_text(admin):
    made = {
        label: evaluation_with("demo-lesson", 4, comments=typed, when=at("2024-05-01"))
        for label, (typed, _) in COMMENTS.items()
    }

    rows = assert_safe(download(admin, "/admin/exports/evaluations.csv"))

    column = rows[0].index("comments")
    comments = {row[0]: row[column] for row in rows[1:]}
    for label, (_, shown) in COMMENTS.items():
        assert comments[str(made[label].id)] == shown, label
    numbers = [row[:6] for row in rows[1:]]
    assert all(n[0].isdigit() and n[3] == "1" and n[5] == "4" for n in numbers)


def test_the_roster_guards_every_text_a_learner_typed_and_keeps_numbers(admin):
    attempt = attempt_with("demo-modules", [True] * 3, when=at("2024-04-02"))
    certificate_row(
        attempt,
        full_name="Ana;=1+1",
        email="+1@example.org",
        profession="Nurse;@SUM(1)",
        license_type="RN",
        license_number="-12",
        license_state="OR\t=2",
    )

    rows = assert_safe(download(admin, "/admin/exports/roster.csv"))

    (row,) = rows[1:]
    assert row[:6] == ["Ana;'=1+1", "'+1@example.org", "Nurse;'@SUM(1)", "RN", "'-12", "OR\t'=2"]
    assert row[8:10] == ["1", "0.5"]  # course version and CE hours: still numbers
