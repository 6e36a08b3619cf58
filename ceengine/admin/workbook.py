"""An export as an Excel workbook (.xlsx), streamed: the first bytes leave while the rows are
still being read, and memory stays flat however many rows there are.

An .xlsx file is a zip of XML parts. openpyxl's write-only mode writes a sheet's rows one at a
time, but into a temporary file that it copies into the zip when the workbook is saved. Here
the sheet's XML goes straight into its zip entry instead (openpyxl's `WorksheetWriter` takes
the file to write to), and the zip is written to a pipe that is emptied after each batch of
rows: Python's `zipfile` writes to a stream it cannot seek by putting each entry's sizes after
its data. The other parts (styles, which the cells registered while they were written, the
workbook, the content types) follow the sheet, written by openpyxl's own `ExcelWriter`.

Excel holds at most `EXCEL_ROWS` rows in a sheet; a longer export stops there with a last row
that says so (the CSV has every row).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from ceengine.admin.exports import Export, safe_cell

EXCEL_ROWS = 1_048_576  # Excel's largest sheet, header row included
BATCH_ROWS = 500  # rows written between two hand-overs of the compressed bytes
TOO_MANY = "Excel holds no more rows: download the CSV for the rest."


class _Pipe:
    """Where the zip is written: keeps what was written until `drain` hands it on. It has no
    `seek`, so `zipfile` writes each entry's sizes after its data."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        """Keep `data` until the next drain."""
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        """How many bytes were written in all (zipfile records where each entry starts)."""
        return self._position

    def flush(self) -> None:
        """Nothing to flush: `drain` hands the bytes on."""

    def drain(self) -> bytes:
        """Everything written since the last drain."""
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class _SheetAlreadyWritten(ExcelWriter):
    """openpyxl's writer of every part but the sheet, which is already in the archive."""

    def write_worksheet(self, ws: WriteOnlyWorksheet) -> None:
        """Record the written sheet (its relations and its place in the content types)."""
        ws._drawing = SpreadsheetDrawing()
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    """A typed export cell as a workbook cell: real dates and numbers, guarded text."""
    if isinstance(value, datetime):  # a local time: Excel has no time zones
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        return value
    # Text: guarded as in the CSV, and stored as text even so (never as a formula); the
    # control characters a workbook cannot hold are left out.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)))
    cell.data_type = "s"
    return cell


def _write_rows(sheet: WriteOnlyWorksheet, rows: Iterable[list], pipe: _Pipe) -> Iterator[bytes]:
    rows = iter(rows)
    for count, row in enumerate(rows, start=2):  # row 1 is the header
        if count == EXCEL_ROWS and next(rows, None) is not None:  # the last row, and more
            sheet.append([xlsx_cell(sheet, TOO_MANY)])
            return
        sheet.append([xlsx_cell(sheet, value) for value in row])
        if count % BATCH_ROWS == 0 and (data := pipe.drain()):
            yield data


def xlsx_chunks(export: Export, title: str) -> Iterator[bytes]:
    """The export as an .xlsx workbook, in pieces as its rows are read (one sheet, `title`,
    a bold header row that stays in view)."""
    pipe = _Pipe()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet._id = 1  # its part: xl/worksheets/sheet1.xml
    bold = Font(bold=True)
    header = [xlsx_cell(sheet, name) for name in export.header]
    for cell in header:
        cell.font = bold
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        with archive.open(sheet.path[1:], "w") as entry:
            sheet._writer = WorksheetWriter(sheet, out=entry)
            sheet._writer.write_top()
            sheet.append(header)
            yield from _write_rows(sheet, export.rows, pipe)
            sheet.close()  # the end of the sheet's XML
        _SheetAlreadyWritten(workbook, archive).write_data()
    yield pipe.drain()
