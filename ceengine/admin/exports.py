"""Exports for accreditors: the completion roster, and ratings with evaluations, as CSV or
as an Excel workbook (.xlsx).

Rows stream from the database a batch at a time, so an export of any size never sits in
memory (the workbook too is streamed as its rows are written: ceengine/admin/workbook.py). Every
CSV cell is quoted, and text is never read as a formula by a spreadsheet, whatever separator
it splits cells on (see `safe_cell`); the workbook's text cells get the same guard, and its
dates and numbers are real Excel dates and numbers. Dates are the sponsor's days
(CEENGINE_TIMEZONE), as on the certificates. Every export names a course the same way: its
title (`course`, as on the certificate) and its folder name (`course_slug`). Objective columns
are headed by the objective's text (for several courses: "Objective 1 (slug): text").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ceengine.admin.filters import Filter
from ceengine.certificates.models import VALID, Certificate
from ceengine.courses.models import Course, CourseVersion
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, RatingVote
from ceengine.localtime import day_of, local
from ceengine.quizzes.models import Attempt

BATCH = 1000
BOM = "\ufeff"  # UTF-8's byte-order mark: Excel then reads the CSV as UTF-8 (accents intact)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula start at the beginning of the text or after anything a spreadsheet may split
# cells on (`;` in many locales, `,`, a tab, a line break), even with spaces or quotes
# between: a careless import would begin a new cell there.
_FORMULA_AFTER_SEPARATOR = re.compile(r'(?:^|(?<=[;,\t\r\n]))([ "]*)(?=[=+\-@])')
ROSTER_COLUMNS = [
    "full_name",
    "email",
    "profession",
    "license_type",
    "license_number",
    "license_state",
    "course",  # the course's title, as on the certificate
    "course_slug",  # the course's folder name (CE Broker's "course ID")
    "course_version",
    "ce_hours",
    "completion_date",
    "certificate_number",
    "certificate_status",
    "issued_date",
    "accredited_credit",
    "attested_at",
    "minutes_on_course",  # first opening of the course to scoring; empty before it was noted
]
EVALUATION_COLUMNS = [
    "evaluation_id",
    "course",  # the title of the version evaluated
    "course_slug",
    "course_version",
    "evaluated_date",
    "rating",
    "relevance",
    "presenter_knowledge",
    "recommend",
    "comments",
    "certified",
    "public_vote",
]


def safe_cell(value: object) -> str:
    """A cell as text that no spreadsheet runs as a formula, however it splits the line.

    An apostrophe goes before each formula start (=, +, -, @) at the beginning or after a
    separator, and before a leading tab or carriage return. A number the site itself
    writes (an int or a Decimal, never text someone typed) is left alone: "-1" written by
    us is a number, not a formula, and no export writes a negative number today anyway.
    """
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _minutes_between(start: datetime | None, end: datetime) -> int | None:
    """Whole minutes from `start` to `end` (None when `start` was never noted)."""
    if start is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


@dataclass(frozen=True)
class Export:
    """An export's header and its rows of typed cells (text, int, Decimal, date, a local
    datetime or None), read from the database as they are consumed."""

    header: list[str]
    rows: Iterator[list]


def csv_cell(value: object) -> str:
    """A typed cell as CSV text: ISO dates, plain decimals, text guarded by `safe_cell`."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return safe_cell(value)


def csv_lines(export: Export, bom: bool = False) -> Iterator[str]:
    """The export as CSV text, a few hundred rows at a time (with `bom`: the byte-order mark
    first, so Excel reads UTF-8)."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    # Every cell quoted: a `;`, `,` or line break inside text never ends its cell for a
    # spreadsheet that honours quotes; numbers in quotes are still read as numbers.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([safe_cell(name) for name in export.header])
    for count, row in enumerate(export.rows, start=1):
        writer.writerow([csv_cell(cell) for cell in row])
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def roster_data(report_filter: Filter) -> Export:
    """The completion roster: one row per certificate, as licensing boards report it."""
    query = (
        sa.select(
            Certificate, Course.slug, CourseVersion.number, Attempt.opened_at, Attempt.submitted_at
        )
        .join(CourseVersion, CourseVersion.id == Certificate.version_id)
        .join(Course, Course.id == Certificate.course_id)
        .join(Attempt, Attempt.id == Certificate.attempt_id)
        .where(*report_filter.moments(Certificate.completed_at))
        .order_by(Certificate.completed_at, Certificate.id)
        .execution_options(yield_per=BATCH)
    )
    if report_filter.course_id:
        query = query.where(Certificate.course_id == report_filter.course_id)
    if report_filter.status:
        query = query.where(Certificate.status == report_filter.status)

    def rows() -> Iterator[list]:
        for certificate, slug, version_number, opened_at, scored_at in db.session.execute(query):
            yield [
                certificate.full_name,
                certificate.email,
                certificate.profession,
                certificate.license_type,
                certificate.license_number,
                certificate.license_state,
                certificate.course_title,
                slug,
                version_number,
                certificate.ce_hours,
                day_of(certificate.completed_at),
                certificate.number,
                certificate.status,
                day_of(certificate.issued_at),
                "; ".join(f"{c['short']}: {c['amount']}" for c in certificate.credits or ()),
                local(certificate.attested_at) if certificate.attested_at else None,
                _minutes_between(opened_at, scored_at),
            ]

    return Export(ROSTER_COLUMNS, rows())


def roster_csv(report_filter: Filter, bom: bool = False) -> Iterator[str]:
    """The completion roster as CSV lines."""
    return csv_lines(roster_data(report_filter), bom)


def _objective_header(n: int, versions: list[CourseVersion], course: str = "") -> str:
    """Objective `n` headed by its text ("Objective 1: ..."; when the versions word it
    differently, each version's wording), with the course's slug when several are exported."""
    wording = {v.number: v.spec.objectives[n - 1] for v in versions if len(v.spec.objectives) >= n}
    texts = list(dict.fromkeys(wording.values()))
    label = f"Objective {n} ({course})" if course else f"Objective {n}"
    if len(texts) == 1:
        return f"{label}: {texts[0]}"
    each = "; ".join(f"version {v}: {text}" for v, text in sorted(wording.items()))
    return f"{label}: {each}"


def objective_columns(
    versions: list[tuple[CourseVersion, str]], one_course: bool
) -> tuple[list[str], dict[tuple[int, int], int]]:
    """The objective columns' headers, and which column holds (course id, objective n).

    One course: a column per objective, headed by its text. Several courses, where
    objective 1 means something else in each: a column per course and objective, by slug,
    headed "Objective 1 (slug): text"; a row fills its own course's columns only.
    """
    by_course: dict[int, tuple[str, list[CourseVersion]]] = {}
    for version, slug in versions:
        by_course.setdefault(version.course_id, (slug, []))[1].append(version)
    headers: list[str] = []
    columns: dict[tuple[int, int], int] = {}
    for course_id, (slug, course_versions) in sorted(by_course.items(), key=lambda c: c[1][0]):
        count = max(len(v.spec.objectives) for v in course_versions)
        for n in range(1, count + 1):
            columns[course_id, n] = len(headers)
            headers.append(_objective_header(n, course_versions, "" if one_course else slug))
    return headers, columns


def evaluations_data(report_filter: Filter) -> Export:
    """Every evaluation: the star rating, each objective, the other answers and comments, and
    whether the learner holds a valid certificate for the course (`certified`) and the
    evaluation counts on the public rating line (`public_vote`)."""
    versions = sa.select(CourseVersion, Course.slug).join(
        Course, Course.id == CourseVersion.course_id
    )
    if report_filter.course_id:
        versions = versions.where(Course.id == report_filter.course_id)
    all_versions = [
        (v, slug) for v, slug in db.session.execute(versions.order_by(CourseVersion.number))
    ]
    objectives, columns = objective_columns(all_versions, bool(report_filter.course_id))
    certified = sa.exists().where(
        Certificate.learner_id == Evaluation.learner_id,
        Certificate.course_id == Evaluation.course_id,
        Certificate.status == VALID,
    )
    counted = sa.exists().where(RatingVote.evaluation_id == Evaluation.id)
    query = (
        sa.select(
            Evaluation, CourseVersion.title, Course.slug, CourseVersion.number, certified, counted
        )
        .join(CourseVersion, CourseVersion.id == Evaluation.version_id)
        .join(Course, Course.id == Evaluation.course_id)
        .where(*report_filter.moments(Evaluation.updated_at))
        .order_by(Evaluation.updated_at, Evaluation.id)
        .options(selectinload(Evaluation.objectives))
        .execution_options(yield_per=BATCH)
    )
    if report_filter.course_id:
        query = query.where(Evaluation.course_id == report_filter.course_id)
    header = EVALUATION_COLUMNS[:6] + objectives + EVALUATION_COLUMNS[6:]

    def rows() -> Iterator[list]:
        for evaluation, title, slug, number, is_certified, is_counted in db.session.execute(query):
            scores: list[int | None] = [None] * len(objectives)
            for objective in evaluation.objectives:
                column = columns.get((evaluation.course_id, objective.position))
                if column is not None:
                    scores[column] = objective.score
            yield (
                [
                    evaluation.id,
                    title,
                    slug,
                    number,
                    day_of(evaluation.updated_at),
                    evaluation.rating,
                ]
                + scores
                + [
                    evaluation.relevance,
                    evaluation.presenter_knowledge,
                    "yes" if evaluation.recommend else "no",
                    evaluation.comments,
                    "yes" if is_certified else "no",
                    "yes" if is_counted else "no",
                ]
            )

    return Export(header, rows())


def evaluations_csv(report_filter: Filter, bom: bool = False) -> Iterator[str]:
    """Ratings and evaluations as CSV lines."""
    return csv_lines(evaluations_data(report_filter), bom)
