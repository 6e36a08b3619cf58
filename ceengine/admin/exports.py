"""CSV exports for accreditors: the completion roster, and ratings with evaluations.

Rows stream from the database a batch at a time, so an export of any size never sits in
memory. Every cell is quoted, and text is never read as a formula by a spreadsheet, whatever
separator it splits cells on (see `safe_cell`). Dates are the sponsor's days
(CEENGINE_TIMEZONE), as on the certificates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
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
    "course",
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
    "course",
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


def _lines(header: list[str], rows: Iterator[list]) -> Iterator[str]:
    buffer = io.StringIO()
    # Every cell quoted: a `;`, `,` or line break inside text never ends its cell for a
    # spreadsheet that honours quotes; numbers in quotes are still read as numbers.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def roster_csv(report_filter: Filter) -> Iterator[str]:
    """The completion roster: one row per certificate, as licensing boards report it."""
    query = (
        sa.select(Certificate, CourseVersion.number, Attempt.opened_at, Attempt.submitted_at)
        .join(CourseVersion, CourseVersion.id == Certificate.version_id)
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
        for certificate, version_number, opened_at, scored_at in db.session.execute(query):
            yield [
                certificate.full_name,
                certificate.email,
                certificate.profession,
                certificate.license_type,
                certificate.license_number,
                certificate.license_state,
                certificate.course_title,
                version_number,
                f"{certificate.ce_hours.normalize():f}",
                day_of(certificate.completed_at).isoformat(),
                certificate.number,
                certificate.status,
                day_of(certificate.issued_at).isoformat(),
                "; ".join(f"{c['short']}: {c['amount']}" for c in certificate.credits or ()),
                local(certificate.attested_at).isoformat(timespec="seconds")
                if certificate.attested_at
                else "",
                _minutes_between(opened_at, scored_at),
            ]

    return _lines(ROSTER_COLUMNS, rows())


def evaluations_csv(report_filter: Filter) -> Iterator[str]:
    """Every evaluation: the star rating, each objective, the other answers and comments, and
    whether the learner holds a valid certificate for the course (`certified`) and the
    evaluation counts on the public rating line (`public_vote`)."""
    versions = sa.select(CourseVersion).join(Course, Course.id == CourseVersion.course_id)
    if report_filter.course_id:
        versions = versions.where(Course.id == report_filter.course_id)
    objective_count = max((len(v.spec.objectives) for v in db.session.scalars(versions)), default=0)
    certified = sa.exists().where(
        Certificate.learner_id == Evaluation.learner_id,
        Certificate.course_id == Evaluation.course_id,
        Certificate.status == VALID,
    )
    counted = sa.exists().where(RatingVote.evaluation_id == Evaluation.id)
    query = (
        sa.select(Evaluation, Course.slug, CourseVersion.number, certified, counted)
        .join(CourseVersion, CourseVersion.id == Evaluation.version_id)
        .join(Course, Course.id == Evaluation.course_id)
        .where(*report_filter.moments(Evaluation.updated_at))
        .order_by(Evaluation.updated_at, Evaluation.id)
        .options(selectinload(Evaluation.objectives))
        .execution_options(yield_per=BATCH)
    )
    if report_filter.course_id:
        query = query.where(Evaluation.course_id == report_filter.course_id)
    header = EVALUATION_COLUMNS[:5] + [f"objective_{n}" for n in range(1, objective_count + 1)]
    header += EVALUATION_COLUMNS[5:]

    def rows() -> Iterator[list]:
        for evaluation, slug, version_number, is_certified, is_counted in db.session.execute(query):
            scores = {o.position: o.score for o in evaluation.objectives}
            yield (
                [
                    evaluation.id,
                    slug,
                    version_number,
                    day_of(evaluation.updated_at).isoformat(),
                    evaluation.rating,
                ]
                + [scores.get(n, "") for n in range(1, objective_count + 1)]
                + [
                    evaluation.relevance,
                    evaluation.presenter_knowledge,
                    "yes" if evaluation.recommend else "no",
                    evaluation.comments,
                    "yes" if is_certified else "no",
                    "yes" if is_counted else "no",
                ]
            )

    return _lines(header, rows())
