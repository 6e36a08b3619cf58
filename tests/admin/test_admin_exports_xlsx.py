"""Exports that open cleanly in Excel (issue 18, point 7): a byte-order mark when asked, the
objectives headed by their text, courses named alike everywhere, and each
export also as an .xlsx workbook with real dates and numbers and the same guard on text."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ceengine.admin import workbook as workbook_module
from ceengine.admin.exports import Export
from ceengine.admin.workbook import xlsx_chunks
from tests.support.factories import at, attempt_with, certificate_row, course_id, evaluation_with
from tests.support.html import html_of
from tests.support.reports import LESSON, MODULES, page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def exported(synced):
    """Two certificates (one with accents and a formula-looking name) and two evaluations."""
    certificate_row(
        attempt_with("demo-modules", [True] * 3, when=at("2024-04-02")),
        full_name="Ana María Núñez",
        email="ana@example.org",
        license_state="OR",
        issued_at=at("2024-04-03"),
        attested_at=at("2024-04-02", 15),
    )
    certificate_row(
        attempt_with("demo-lesson", [True] * 6, when=at("2024-04-10")),
        full_name='=HYPERLINK("https://evil.test","Fix")',
        email="+1@example.org",
        license_number="-12",
        issued_at=at("2024-04-10", 13),
    )
    evaluation_with("demo-lesson", 5, (5, 4), comments="=1+1", when=at("2024-05-01"))
    evaluation_with("demo-modules", 2, (3,), comments="Très bien", when=at("2024-05-03"))


def csv_of(admin, address: str) -> list[list[str]]:
    response = admin.get(address)
    assert response.status_code == 200, address
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def workbook_of(admin, address: str):
    response = admin.get(address)
    assert response.status_code == 200, address
    assert response.mimetype == XLSX
    assert re.fullmatch(
        r'attachment; filename="ceengine-\w+-\d{4}-\d{2}-\d{2}\.xlsx"',
        response.headers["Content-Disposition"],
    )
    return load_workbook(io.BytesIO(response.get_data())).worksheets[0]


def as_csv_text(value: object) -> str:
    """A workbook cell as the CSV writes it (a date-time: up to the seconds)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)


def assert_same_rows(sheet, rows: list[list[str]]) -> None:
    cells = [[as_csv_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(rows)
    for from_xlsx, from_csv in zip(cells, rows, strict=True):
        assert len(from_xlsx) == len(from_csv)
        for x, c in zip(from_xlsx, from_csv, strict=True):
            # A local date-time: the CSV adds the offset, Excel has no time zones.
            assert x == c or (len(x) == 19 and c.startswith(x)), (x, c)


def test_the_byte_order_mark_is_there_only_when_asked(exported, admin):
    for name in ("roster", "evaluations"):
        plain = admin.get(f"/admin/exports/{name}.csv").get_data()
        marked = admin.get(f"/admin/exports/{name}.csv?bom=1").get_data()

        assert not plain.startswith(BOM)
        assert marked == BOM + plain  # nothing else changes
    assert "Ana María Núñez" in plain.decode() or "Très bien" in plain.decode()


def test_the_exports_page_offers_the_mark_and_the_workbooks(exported, admin):
    lesson = course_id("demo-lesson")

    html = html_of(page(admin, f"/admin/exports?course={lesson}&start=2024-01-01"))
    ticked = html_of(page(admin, f"/admin/exports?course={lesson}&bom=1"))

    assert re.search(r'<input type="checkbox" id="bom" name="bom" value="1">', html)
    assert '<label for="bom">For Excel: add a byte-order mark</label>' in html
    assert 'name="bom" value="1" checked' in ticked
    links = re.findall(r'href="(/admin/exports/[a-z]+\.(?:csv|xlsx)[^"]*)"', ticked)
    assert len(links) == 4
    for link in links:
        assert f"course={lesson}" in link
        assert ("bom=1" in link) == (".csv" in link)
    assert not re.search(r'href="[^"]*bom=1', html)
    for link in re.findall(r'href="(/admin/exports/[a-z]+\.xlsx[^"]*)"', html):
        assert "start=2024-01-01" in link
        assert admin.get(link.replace("&amp;", "&")).status_code == 200


def test_one_course_heads_its_objectives_with_their_text(exported, admin):
    lesson = course_id("demo-lesson")

    one = csv_of(admin, f"/admin/exports/evaluations.csv?course={lesson}")
    every = csv_of(admin, "/admin/exports/evaluations.csv")

    assert one[0][6:8] == [
        "Objective 1: Name the three parts of self-compassion.",
        "Objective 2: Describe one informal practice.",
    ]
    assert one[1][1:3] == [LESSON, "demo-lesson"] and one[1][6:8] == ["5", "4"]
    # Several courses: a column per course and objective, each row filling its own course's.
    assert every[0][6:9] == [
        "Objective 1 (demo-lesson): Name the three parts of self-compassion.",
        "Objective 2 (demo-lesson): Describe one informal practice.",
        "Objective 1 (demo-modules): Follow a course module by module.",
    ]
    scores = {row[2]: row[6:9] for row in every[1:]}
    assert scores == {"demo-lesson": ["5", "4", ""], "demo-modules": ["", "", "3"]}
    assert workbook_of(admin, f"/admin/exports/evaluations.xlsx?course={lesson}")[1][6].value == (
        "Objective 1: Name the three parts of self-compassion."
    )


def test_every_export_names_a_course_by_its_title_and_its_slug(exported, admin):
    roster = csv_of(admin, "/admin/exports/roster.csv")
    evaluations = csv_of(admin, "/admin/exports/evaluations.csv")

    for rows in (roster, evaluations):
        title, slug = rows[0].index("course"), rows[0].index("course_slug")
        assert slug == title + 1
        assert {(row[title], row[slug]) for row in rows[1:]} == {
            (LESSON, "demo-lesson"),
            (MODULES, "demo-modules"),
        }


@pytest.mark.parametrize("name", ["roster", "evaluations"])
def test_the_workbook_has_the_csv_rows_with_real_dates_and_numbers(exported, admin, name):
    rows = csv_of(admin, f"/admin/exports/{name}.csv")
    sheet = workbook_of(admin, f"/admin/exports/{name}.xlsx")

    assert_same_rows(sheet, rows)
    header = rows[0]
    first = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    if name == "roster":
        for column in ("completion_date", "issued_date"):
            cell = first[header.index(column)]
            assert cell.is_date and isinstance(cell.value, datetime)
            assert cell.number_format == "yyyy-mm-dd"
        assert first[header.index("completion_date")].value.date() == date(2024, 4, 2)
        assert first[header.index("attested_at")].is_date
        assert first[header.index("ce_hours")].value == 0.5
        assert first[header.index("course_version")].value == 1
        assert first[header.index("full_name")].value == "Ana María Núñez"
    else:
        assert first[header.index("evaluated_date")].is_date
        assert first[header.index("rating")].value == 5
        assert first[6].data_type == "n"  # the first objective's score
        assert first[header.index("evaluation_id")].data_type == "n"


@pytest.mark.parametrize("name", ["roster", "evaluations"])
def test_formula_looking_text_stays_text_in_the_workbook(exported, admin, name):
    sheet = workbook_of(admin, f"/admin/exports/{name}.xlsx")

    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    if name == "roster":
        assert {'\'=HYPERLINK("https://evil.test","Fix")', "'+1@example.org", "'-12"} <= texts
    else:
        assert "'=1+1" in texts and "Très bien" in texts
    assert not any(str(t).startswith(("=", "+", "-", "@")) for t in texts)


@pytest.mark.parametrize("name", ["roster", "evaluations"])
def test_a_bad_filter_is_refused_for_the_workbook_too(synced, admin, name):
    for query in ("start=yesterday", "start=2024-05-02&end=2024-05-01"):
        response = admin.get(f"/admin/exports/{name}.xlsx?{query}")

        assert response.status_code == 400, query
        assert "nothing was exported" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "address", ["/admin/exports/roster.xlsx", "/admin/exports/evaluations.xlsx"]
)
def test_the_workbooks_need_an_admin(synced, address):
    response = synced.test_client().get(address)

    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


# --- the workbook is streamed -----------------------------------------------------------------


def counted_export(total: int, seen: list[int]) -> Export:
    """An export of `total` rows that notes in `seen` how many were read so far."""

    def rows():
        for n in range(1, total + 1):
            seen[0] = n
            yield [n, f"Learner {n} wrote {n * 7919 % 10007}", date(2024, 1, 1 + n % 28)]

    return Export(["n", "text", "day"], rows())


def test_a_large_workbook_leaves_in_pieces_while_its_rows_are_still_read():
    total, seen, read_at_each_piece, pieces = 12_000, [0], [], []
    for piece in xlsx_chunks(counted_export(total, seen), "Big"):
        read_at_each_piece.append(seen[0])
        pieces.append(piece)

    # The first bytes leave early, and no piece holds more than a few batches of rows:
    # what is in memory at any moment does not grow with the export.
    assert read_at_each_piece[0] < total / 4
    assert len([n for n in read_at_each_piece if n < total]) > 5
    assert max(len(piece) for piece in pieces) < 256 * 1024
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True)["Big"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == total + 1 and rows[0] == ("n", "text", "day")
    assert rows[-1][0] == total and rows[-1][2] == datetime(2024, 1, 1 + total % 28)


def test_a_workbook_stops_at_excel_s_last_row_and_says_so(monkeypatch):
    monkeypatch.setattr(workbook_module, "EXCEL_ROWS", 5)  # header + 4 rows

    def sheet_of(total: int) -> list[tuple]:
        data = b"".join(xlsx_chunks(counted_export(total, [0]), "Rows"))
        return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

    assert [row[0] for row in sheet_of(4)] == ["n", 1, 2, 3, 4]  # exactly fits
    cut = sheet_of(10)
    assert [row[0] for row in cut] == ["n", 1, 2, 3, workbook_module.TOO_MANY]
    header = load_workbook(io.BytesIO(b"".join(xlsx_chunks(counted_export(1, [0]), "Rows")))).active
    assert header["A1"].font.bold and header.freeze_panes == "A2"


def test_the_workbook_download_is_streamed(exported, admin):
    response = admin.get("/admin/exports/roster.xlsx")
    assert response.status_code == 200 and response.is_streamed
    assert load_workbook(io.BytesIO(response.get_data())).active.max_row == 3
