"""CE Broker's Excel roster: which completions can go in it, and the .xls file itself.

Pure: no Flask, no database. The layout is CE Broker's "Creating Excel Files (Full Course
Credit)" (help.cebroker.com/hc/en-us/articles/15226514662548): an .xls sheet, one row per
completion, no heading row —

    A provider tracking number (without "50-")   B course tracking number (without "20-")
    C or your own course ID                      D publishing number (optional: blank)
    E the attendee's license number              F completion date, an Excel date (12/3/2008)
    G State=FL                                   H Profession=<CE Broker profession code>

CE Broker asks for a new sheet each time, without licensees already reported.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import xlwt

from ceengine.courses.approvals import CeBroker

FLORIDA = ("fl", "fl.", "fla", "fla.", "florida")
FLORIDA_IN_FULL = ("State of Florida", "state of florida", "STATE OF FLORIDA")
DATE_FORMAT = "m/d/yyyy"  # CE Broker's example: 12/3/2008
SHEET_NAME = "Sheet1"
NO_PROVIDER = "no CE Broker provider number in sponsor.yaml"
NO_CREDIT = "a Certificate of Completion: no approval covered the course, nothing to report"
NO_LICENSE_NUMBER = "no license number"
NO_LICENSE_TYPE = "no license type, so no CE Broker profession code"


def is_florida(state: str) -> bool:
    """Whether a license state as typed names Florida (FL, Fla., Florida, any case)."""
    typed = " ".join(state.split()).lower()
    return typed in FLORIDA or typed == "state of florida"


def florida_spellings() -> tuple[str, ...]:
    """Every capitalisation of FL, FL., Fla, Fla. and Florida, and State of Florida.

    The details form trims what learners type, so a plain index on the state answers
    `state IN (these)`; `lower(state)` would need an expression index, which SQLite's schema
    reflection cannot compare with the models.
    """
    return FLORIDA_IN_FULL + tuple(
        "".join(letters)
        for word in FLORIDA
        for letters in itertools.product(*((c.lower(), c.upper()) for c in word))
    )


@dataclass(frozen=True)
class RosterRow:
    """One completion as CE Broker takes it, or with the reasons it cannot go in the file."""

    certificate_id: int
    certificate_number: str
    full_name: str
    email: str
    license_type: str
    license_number: str
    completed_on: date
    course_number: str  # CE Broker's course tracking number, or "" (then `course_id`)
    course_id: str  # the sponsor's own course ID: the course's folder name
    profession_code: str
    problems: tuple[str, ...] = ()


def roster_row(
    ce_broker: CeBroker | None,
    certificate_id: int,
    certificate_number: str,
    full_name: str,
    email: str,
    license_type: str,
    license_number: str,
    completed_on: date,
    course_number: str,
    course_id: str,
    has_credit: bool = True,
) -> RosterRow:
    """A completion's roster row, with every reason CE Broker could not take it."""
    problems = []
    if not has_credit:
        problems.append(NO_CREDIT)
    if ce_broker is None:
        problems.append(NO_PROVIDER)
    if not license_number.strip():
        problems.append(NO_LICENSE_NUMBER)
    code = ce_broker.profession_code(license_type) if ce_broker else None
    if ce_broker is not None and code is None:
        problems.append(
            f"license type {license_type} has no CE Broker profession code in sponsor.yaml"
            if license_type.strip()
            else NO_LICENSE_TYPE
        )
    return RosterRow(
        certificate_id,
        certificate_number,
        full_name,
        email,
        license_type,
        license_number.strip(),
        completed_on,
        course_number,
        course_id,
        code or "",
        tuple(problems),
    )


def roster_xls(provider_number: str, rows: Iterable[RosterRow]) -> bytes:
    """The roster as an .xls workbook, one row per completion in CE Broker's columns A-H.

    Numbers are written as text so leading zeros survive; the completion date is a real Excel
    date cell shown as m/d/yyyy.
    """
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(SHEET_NAME)
    as_date = xlwt.easyxf(num_format_str=DATE_FORMAT)
    for line, row in enumerate(rows):
        sheet.write(line, 0, provider_number)
        sheet.write(line, 1, row.course_number)
        sheet.write(line, 2, "" if row.course_number else row.course_id)
        sheet.write(line, 3, "")  # D: a CE Broker publishing number; blank for most providers
        sheet.write(line, 4, row.license_number)
        sheet.write(line, 5, row.completed_on, as_date)
        sheet.write(line, 6, "State=FL")
        sheet.write(line, 7, f"Profession={row.profession_code}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
