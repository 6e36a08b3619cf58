"""Reporting Florida completions to CE Broker: the roster for some dates, the record of
what an admin confirmed uploading, and the overview's count of what is still unreported.

Florida rule 64B-5.002(2)(a): approved providers "shall submit licensee program completion
data through the CE tracking system within thirty (30) days of program completion".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ceengine.admin.ce_broker_file import RosterRow, florida_spellings, roster_row
from ceengine.admin.filters import Filter
from ceengine.admin.models import CeBrokerReport
from ceengine.admin.paging import capped_count
from ceengine.audit import trail as audit
from ceengine.certificates.models import CE_BROKER_DUE, VALID, Certificate
from ceengine.columns import utcnow
from ceengine.courses.approvals import CeBroker
from ceengine.courses.models import Course, CourseVersion
from ceengine.courses.services import current_sponsor, sponsor_today
from ceengine.extensions import db
from ceengine.localtime import day_of
from ceengine.rollups import current_dialect

REPORT_WITHIN = timedelta(days=30)  # Florida rule 64B-5.002(2)(a)
OVERDUE = "overdue"
ROSTER_STATUSES = [("", "Every completion"), (OVERDUE, "Not reported within 30 days")]


class RosterChanged(Exception):
    """The completions an admin saw are no longer the ones that would be marked."""


def completed_in(report_filter: Filter) -> list[sa.ColumnElement[bool]]:
    """Which completions fall in the filter's days, and `completion_day` below: the same day
    boundaries as the completion roster (one place to change them)."""
    return report_filter.moments(Certificate.completed_at)


def completion_day(completed_at: datetime) -> date:
    """The completion date a roster gives for a completion moment: the sponsor's day."""
    return day_of(completed_at)


def _florida_completions() -> list[sa.ColumnElement[bool]]:
    """Valid certificates (the current edition: not revoked, not superseded) of Florida
    licensees."""
    return [Certificate.status == VALID, Certificate.license_state.in_(florida_spellings())]


def _unreported() -> list[sa.ColumnElement[bool]]:
    """Florida completions CE Broker still waits for: valid, with credit (a Certificate of
    Completion is not reported), and no edition of the attempt reported yet.

    `CE_BROKER_DUE` word for word is the predicate of the partial index
    ix_certificates_ce_broker_due, so both databases read only the completions still due
    (reported ones leave the index); the check on the reports covers a mark not yet copied.
    """
    return [
        sa.text(CE_BROKER_DUE),
        Certificate.license_state.in_(florida_spellings()),
        # Valid, written so that no index on the status is taken for this count instead.
        Certificate.status + "" == VALID,
        ~_reported_attempt(),
    ]


def _overdue() -> list[sa.ColumnElement[bool]]:
    """Unreported and completed more than 30 days ago (on or before today less 31 days)."""
    last_overdue_day = sponsor_today() - REPORT_WITHIN - timedelta(days=1)
    return [*_unreported(), *completed_in(Filter(end=last_overdue_day))]


@dataclass(frozen=True)
class Roster:
    """The Florida completions in some dates: ready for CE Broker, refused (with the reasons),
    and already reported."""

    ce_broker: CeBroker | None
    ready: tuple[RosterRow, ...] = ()
    refused: tuple[RosterRow, ...] = ()
    reported: tuple[tuple[RosterRow, CeBrokerReport], ...] = field(default_factory=tuple)

    @property
    def ids(self) -> str:
        """The ready rows' certificate ids, as the confirmation form carries them."""
        return ",".join(str(row.certificate_id) for row in self.ready)

    @property
    def digest(self) -> str:
        """A short fingerprint of the ready rows, so a download matches the page it came from."""
        return hashlib.sha256(self.ids.encode()).hexdigest()[:32]


def _course_numbers() -> dict[int, tuple[str, str]]:
    """Per course: its CE Broker course number (from the current version) and its slug."""
    rows = db.session.execute(
        sa.select(Course.id, Course.slug, CourseVersion).outerjoin(
            CourseVersion, CourseVersion.id == Course.current_version_id
        )
    )
    return {
        course_id: (version.spec.ce_broker_course if version else "", slug)
        for course_id, slug, version in rows
    }


def _reported_attempt() -> sa.ColumnElement[bool]:
    """Some edition of this certificate's attempt was reported: a reissue (a corrected name)
    is the same completion, already in CE Broker."""
    edition = aliased(Certificate)
    return (
        sa.exists()
        .where(CeBrokerReport.certificate_id == edition.id)
        .where(edition.attempt_id == Certificate.attempt_id)
    )


def _reports_by_attempt(attempt_ids: list[int]) -> dict[int, CeBrokerReport]:
    if not attempt_ids:
        return {}
    rows = db.session.execute(
        sa.select(Certificate.attempt_id, CeBrokerReport)
        .join(CeBrokerReport, CeBrokerReport.certificate_id == Certificate.id)
        .where(Certificate.attempt_id.in_(set(attempt_ids)))
    )
    return {attempt_id: report for attempt_id, report in rows}


def ce_broker_roster(report_filter: Filter) -> Roster:
    """The Florida completions in the filter's dates (and course), sorted by completion;
    with status `overdue`, only those not reported within 30 days (the overview's figure)."""
    ce_broker = current_sponsor().ce_broker
    courses = _course_numbers()
    which = _overdue() if report_filter.status == OVERDUE else _florida_completions()
    query = (
        sa.select(Certificate)
        .where(*which, *completed_in(report_filter))
        .order_by(Certificate.completed_at, Certificate.id)
    )
    if report_filter.course_id:
        query = query.where(Certificate.course_id == report_filter.course_id)
    certificates = list(db.session.scalars(query))
    reports = _reports_by_attempt([c.attempt_id for c in certificates])
    ready, refused, reported = [], [], []
    for certificate in certificates:
        report = reports.get(certificate.attempt_id)
        course_number, slug = courses.get(certificate.course_id, ("", ""))
        row = roster_row(
            ce_broker,
            certificate.id,
            certificate.number,
            certificate.full_name,
            certificate.email,
            certificate.license_type,
            certificate.license_number,
            completion_day(certificate.completed_at),
            course_number,
            slug,
            has_credit=bool(certificate.credits),
        )
        if report is not None:
            reported.append((row, report))
        else:
            (refused if row.problems else ready).append(row)
    return Roster(ce_broker, tuple(ready), tuple(refused), tuple(reported))


def mark_reported(report_filter: Filter, certificate_ids: list[int], admin_id: int) -> int:
    """Record that the admin uploaded these completions to CE Broker; return how many are new.

    Exactly the rows the admin saw: each must still be ready in these dates, or already
    reported (a double click or a retry, which records nothing again); otherwise
    RosterChanged, and nothing is recorded.
    """
    wanted = set(certificate_ids)
    already = set(
        db.session.scalars(
            sa.select(CeBrokerReport.certificate_id).where(
                CeBrokerReport.certificate_id.in_(wanted)
            )
        )
    )
    ready = {row.certificate_id for row in ce_broker_roster(report_filter).ready}
    gone = wanted - already - ready
    if gone:
        raise RosterChanged(
            f"{len(gone)} of the completions on the page you confirmed can no longer be "
            "reported as shown (revoked, reissued or moved out of these dates since): nothing "
            "was marked. Check the roster below, download it again and upload that one."
        )
    new = sorted(wanted - already)
    if not new:
        return 0
    insert = postgresql.insert if current_dialect() == "postgresql" else sqlite.insert
    batch, now = secrets.token_hex(8), utcnow()
    statement = insert(CeBrokerReport).values(
        [
            {"certificate_id": i, "reported_at": now, "admin_id": admin_id, "batch": batch}
            for i in new
        ]
    )
    # Two clicks at once: the second finds the first's rows and adds nothing.
    recorded = db.session.scalars(
        statement.on_conflict_do_nothing(index_elements=["certificate_id"]).returning(
            CeBrokerReport.certificate_id
        )
    ).all()
    # Every edition of each reported attempt leaves the completions still due.
    attempts = sa.select(Certificate.attempt_id).where(Certificate.id.in_(new))
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.attempt_id.in_(attempts), Certificate.ce_broker_reported_at.is_(None))
        .values(ce_broker_reported_at=now)
    )
    if recorded:  # a twin click that added nothing leaves no second event
        audit.record(
            "ce_broker_reported",
            f"batch {batch}",
            after={"completions": len(recorded), "certificate_ids": sorted(recorded)},
        )
    db.session.commit()
    return len(recorded)


@dataclass(frozen=True)
class Backlog:
    """Florida completions not yet reported to CE Broker, and how many are past 30 days."""

    unreported: int
    overdue: int


def florida_backlog(cap: int) -> Backlog | None:
    """The unreported Florida completions, each count stopping at `cap` (None when the
    sponsor does not report to CE Broker).

    Two counts through the partial index of the completions still due (reported ones are not
    in it), each with a LIMIT inside: the cost follows the backlog, never the completions
    reported before, and stops at `cap`.
    """
    if current_sponsor().ce_broker is None:
        return None
    unreported = capped_count(sa.select(Certificate.id).where(*_unreported()), cap)
    overdue = capped_count(sa.select(Certificate.id).where(*_overdue()), cap)
    return Backlog(unreported, overdue)
