"""Learners for the console: find them by email or name, and gather everything about one.

A learner is the person behind one browser (no account); what names them is what they typed:
the name and email printed on their certificates, and the address they confirmed. The search
matches the start of the email, of the name, or of the name's last word, without case, so
every condition is a range on an index and a search stays as quick at a million rows as at a
thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ceengine.audit.models import AuditEvent
from ceengine.billing.models import Order
from ceengine.certificates.models import Certificate, name_search_key
from ceengine.courses.models import Course, CourseVersion
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, Reflection
from ceengine.learners.models import Learner
from ceengine.outbox.models import OutboxMessage
from ceengine.quizzes.models import Attempt
from ceengine.rollups import current_dialect
from ceengine.text import email_key

SHOWN = 100  # of each kind of record on a learner's page, newest first
OTHERS_SHOWN = 20
# A search looks at no more matching records than this (a search for "a" must not read a
# million rows): the results then say to type more.
MATCH_LIMIT = 2000


def _starts_with(column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
    """`column` starts with `prefix`, as a range an index serves on either database, whatever
    the values: U+10FFFF sorts after any other character, byte for byte in UTF-8."""
    end = prefix + "\U0010ffff"
    if current_dialect() == "postgresql":
        # The byte-wise operators of the text_pattern_ops indexes, with bound values: a LIKE
        # 'prefix%' needs the pattern at planning, and a prepared statement's generic plan
        # (psycopg prepares a query run five times) would scan the table instead.
        return sa.and_(column.op("~>=~")(prefix), column.op("~<~")(end))
    return sa.and_(column >= prefix, column < end)


def _matches(q: str) -> sa.Select | None:
    """(learner_id, at) of the records whose email, name or last name starts with `q`, at
    most MATCH_LIMIT + 1 of them; None when there is nothing to search for."""
    name = name_search_key(q)
    if not name:
        return None
    address = email_key(q)
    matches = sa.union_all(
        sa.select(
            Certificate.learner_id.label("learner_id"), Certificate.issued_at.label("at")
        ).where(
            sa.or_(
                _starts_with(Certificate.email_key, address),
                _starts_with(Certificate.name_key, name),
                _starts_with(Certificate.surname_key, name),
            )
        ),
        sa.select(Learner.id.label("learner_id"), Learner.confirmed_at.label("at")).where(
            Learner.confirmed_at.is_not(None), _starts_with(Learner.email_key, address)
        ),
    ).subquery()
    return sa.select(matches.c.learner_id, matches.c.at).limit(MATCH_LIMIT + 1)


def search_query(q: str) -> sa.Select | None:
    """Learners whose email, name or last name starts with `q` (without case), most recently
    certified first, among the first MATCH_LIMIT matching records; None when there is nothing
    to search for."""
    matches = _matches(q)
    if matches is None:
        return None
    bounded = matches.limit(MATCH_LIMIT).subquery()
    latest = sa.func.max(bounded.c.at)
    return (
        sa.select(bounded.c.learner_id, latest.label("at"))
        .group_by(bounded.c.learner_id)
        .order_by(latest.desc(), bounded.c.learner_id.desc())
    )


def too_many_matches(q: str) -> bool:
    """Whether more records match `q` than a search looks at."""
    matches = _matches(q)
    if matches is None:
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(matches.subquery())) > (
        MATCH_LIMIT
    )


@dataclass(frozen=True)
class Found:
    """One learner in the search results: how they are named, and how much they have."""

    learner_id: int
    names: list[str]
    emails: list[str]
    certificates: int
    last_at: datetime | None


def describe(rows: list[sa.Row]) -> list[Found]:
    """The names, addresses and certificate counts of the learners on one results page."""
    ids = [row.learner_id for row in rows]
    if not ids:
        return []
    certificates = db.session.execute(
        sa.select(Certificate.learner_id, Certificate.full_name, Certificate.email)
        .where(Certificate.learner_id.in_(ids))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    confirmed = {
        learner_id: key
        for learner_id, key in db.session.execute(
            sa.select(Learner.id, Learner.email_key).where(Learner.id.in_(ids))
        )
    }
    found = []
    for row in rows:
        own = [c for c in certificates if c.learner_id == row.learner_id]
        emails = _unique([c.email for c in own] + [confirmed.get(row.learner_id) or ""])
        found.append(
            Found(row.learner_id, _unique([c.full_name for c in own]), emails, len(own), row.at)
        )
    return found


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


@dataclass
class LearnerRecords:
    """Everything stored about one learner, newest first, each kind at most SHOWN rows."""

    learner: Learner
    attempts: list[sa.Row] = field(default_factory=list)  # (Attempt, title)
    evaluations: list[sa.Row] = field(default_factory=list)  # (Evaluation, title)
    certificates: list[Certificate] = field(default_factory=list)
    orders: list[sa.Row] = field(default_factory=list)  # (Order, title, number)
    reflections: list[sa.Row] = field(default_factory=list)  # (Reflection, title)
    emails: list[OutboxMessage] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # other learners with the same address


def _rows(statement: sa.Select) -> list[sa.Row]:
    return list(db.session.execute(statement.limit(SHOWN)))


def learner_records(learner_id: int) -> LearnerRecords | None:
    """One learner's attempts, evaluations, certificates, orders, reflections, the emails
    sent to their addresses and the admin actions on their certificates; None if unknown."""
    learner = db.session.get(Learner, learner_id)
    if learner is None:
        return None
    title = CourseVersion.title
    records = LearnerRecords(learner)
    records.attempts = _rows(
        sa.select(Attempt, title)
        .join(CourseVersion, CourseVersion.id == Attempt.version_id)
        .where(Attempt.learner_id == learner_id)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
    )
    records.evaluations = _rows(
        sa.select(Evaluation, title)
        .join(CourseVersion, CourseVersion.id == Evaluation.version_id)
        .where(Evaluation.learner_id == learner_id)
        .order_by(Evaluation.updated_at.desc(), Evaluation.id.desc())
    )
    records.certificates = list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.learner_id == learner_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
            .limit(SHOWN)
        )
    )
    records.orders = _rows(
        sa.select(Order, title, Certificate.number)
        .join(Attempt, Attempt.id == Order.attempt_id)
        .join(CourseVersion, CourseVersion.id == Attempt.version_id)
        .outerjoin(Certificate, Certificate.id == Order.certificate_id)
        .where(Order.learner_id == learner_id)  # ix_orders_learner
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    records.reflections = _reflections(learner_id)
    _add_identity(records)
    return records


def _reflections(learner_id: int) -> list[sa.Row]:
    return _rows(
        sa.select(Reflection, CourseVersion.title)
        .join(Course, Course.id == Reflection.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Reflection.learner_id == learner_id)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
    )


def _add_identity(records: LearnerRecords) -> None:
    """The learner's names and addresses; the emails to those addresses; the admin actions on
    their certificates; other learners (other browsers) certified under the same addresses."""
    learner_id = records.learner.id
    records.names = _unique([c.full_name for c in records.certificates])
    typed = [c.email for c in records.certificates]
    typed += [(order.details or {}).get("email", "") for order, _, _ in records.orders]
    typed.append(records.learner.email_key or "")
    records.addresses = _unique([a for a in typed if isinstance(a, str)])
    keys = [email_key(a) for a in records.addresses]
    records.emails = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient_key.in_(keys))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(SHOWN)
        )
    )
    numbers = [c.number for c in records.certificates]
    records.events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.target.in_(numbers))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(SHOWN)
        )
    )
    records.others = list(
        db.session.scalars(
            sa.select(Certificate.learner_id)
            .where(Certificate.email_key.in_(keys), Certificate.learner_id != learner_id)
            .group_by(Certificate.learner_id)
            .order_by(Certificate.learner_id)
            .limit(OTHERS_SHOWN)
        )
    )
