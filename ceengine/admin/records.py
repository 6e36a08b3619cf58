"""Finding certificates, orders and reflections for the admin lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ceengine.admin.filters import Filter
from ceengine.billing.models import Order, PaymentProblem
from ceengine.certificates.models import Certificate
from ceengine.certificates.numbers import normalize_certificate_number
from ceengine.courses.models import Course, CourseVersion
from ceengine.courses.openings import modules_opened
from ceengine.feedback.models import Reflection
from ceengine.quizzes.models import Attempt
from ceengine.rollups import current_dialect

CERTIFICATE_STATUSES = [
    ("", "Any status"),
    ("valid", "Valid"),
    ("revoked", "Revoked"),
    ("superseded", "Superseded"),
]
ORDER_STATUSES = [
    ("", "Any status"),
    ("pending", "Pending"),
    ("paid", "Paid"),
    ("expired", "Expired"),
    ("failed", "Failed"),
    ("refunded", "Refunded"),
    ("disputed", "Disputed"),
    ("unfulfilled", "Payment recorded, not fulfilled"),
]
UNFULFILLED = "unfulfilled"
REFLECTION_STATUSES = [
    ("pending", "Waiting for moderation"),
    ("approved", "Approved"),
    ("hidden", "Hidden"),
    ("all", "All"),
]


@dataclass(frozen=True)
class StudyTime:
    """How long the learner spent on the course before scoring, and the modules opened."""

    opened_at: datetime | None  # None: the attempt predates time on task
    scored_at: datetime
    on_course: timedelta | None
    modules_opened: int | None  # None: a single-page course
    module_count: int


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def study_time(attempt: Attempt) -> StudyTime:
    """First opening of the course to scoring, and the modules opened by then."""
    course = attempt.version.spec
    scored = _utc(attempt.submitted_at)
    opened_at = _utc(attempt.opened_at) if attempt.opened_at else None
    count = len(course.modules)
    opened = (
        None
        if course.single_page
        else modules_opened(attempt.learner_id, attempt.course_id, count, scored)
    )
    on_course = scored - opened_at if opened_at else None
    return StudyTime(opened_at, scored, on_course, opened, count)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _without_case(column: sa.ColumnElement[str], text: str) -> tuple[sa.ColumnElement[str], str]:
    """The column and the search text without case, in any script (SQLite's own lower()
    knows only ASCII, so SQLite gets Python's casefold as a SQL function)."""
    if current_dialect() == "sqlite":
        return sa.func.casefold(column), text.casefold()
    return sa.func.lower(column), text.lower()


def certificates_query(report_filter: Filter) -> sa.Select:
    """Certificates matching a number, name or email, newest first."""
    query = sa.select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if report_filter.q:
        number = normalize_certificate_number(report_filter.q)
        name, text = _without_case(Certificate.full_name, report_filter.q)
        conditions = [
            name.like(_like(text), escape="\\"),
            Certificate.email_key.like(_like(report_filter.q.lower()), escape="\\"),
        ]
        if number:
            conditions.append(Certificate.number == number)
        query = query.where(sa.or_(*conditions))
    if report_filter.course_id:
        query = query.where(Certificate.course_id == report_filter.course_id)
    if report_filter.status:
        query = query.where(Certificate.status == report_filter.status)
    return query.where(*report_filter.moments(Certificate.issued_at))


def orders_query(report_filter: Filter) -> sa.Select:
    """Orders with their course title and certificate number, newest first (status
    `unfulfilled`: those with a payment recorded that did not fulfil them)."""
    query = (
        sa.select(Order, CourseVersion.title, Certificate.number)
        .join(Attempt, Attempt.id == Order.attempt_id)
        .join(CourseVersion, CourseVersion.id == Attempt.version_id)
        .outerjoin(Certificate, Certificate.id == Order.certificate_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if report_filter.course_id:
        query = query.where(Attempt.course_id == report_filter.course_id)
    if report_filter.status == UNFULFILLED:  # a paid session that could not fulfil it
        query = query.where(Order.id.in_(sa.select(PaymentProblem.order_id)))
    elif report_filter.status:
        query = query.where(Order.status == report_filter.status)
    return query.where(*report_filter.moments(Order.created_at))


def reflections_query(report_filter: Filter) -> sa.Select:
    """Reflections with their course, oldest waiting first in the queue, else newest first."""
    status = report_filter.status or "pending"
    query = (
        sa.select(Reflection, CourseVersion.title)
        .join(Course, Course.id == Reflection.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
    )
    if status != "all":
        query = query.where(Reflection.status == status)
    if report_filter.course_id:
        query = query.where(Reflection.course_id == report_filter.course_id)
    order = Reflection.created_at.asc() if status == "pending" else Reflection.created_at.desc()
    return query.where(*report_filter.moments(Reflection.created_at)).order_by(order, Reflection.id)
