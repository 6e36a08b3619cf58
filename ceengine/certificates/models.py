"""Issued certificates: the exact signed PDF, who it names, and whether it still stands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ceengine.columns import UTCDateTime, utcnow
from ceengine.courses.models import CourseVersion
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt

VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
# The rows of ix_certificates_ce_broker_due (the same text in its migration, 0021).
CE_BROKER_DUE = "ce_broker_reported_at IS NULL AND CAST(credits AS TEXT) != '[]'"


def name_search_key(full_name: str) -> str:
    """A printed name as the learner search matches it: without case, in any script."""
    return " ".join(full_name.casefold().split())[:200]


def surname_search_key(full_name: str) -> str:
    """The name's last word without case, so a search by family name finds it too."""
    words = name_search_key(full_name).split()
    return words[-1] if words else ""


def _from_full_name(key: Callable[[str], str]) -> Callable[[DefaultExecutionContext], str]:
    """A column default computed from the row's full name (every insert, ORM or Core)."""

    def default(context: DefaultExecutionContext) -> str:
        return key(context.get_current_parameters().get("full_name") or "")

    return default


class Certificate(db.Model):
    """One edition of the certificate for one passed attempt; a reissue is a new edition.

    `(attempt_id, edition)` is unique, so two tabs or a double click issuing the first
    certificate for an attempt can never both succeed.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "edition"),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'superseded')", name="status_known"),
        sa.CheckConstraint(
            "status != 'revoked' OR (revoked_reason IS NOT NULL AND revoked_at IS NOT NULL)",
            name="revocation_explained",
        ),
        sa.CheckConstraint(
            "status != 'superseded' OR superseded_by_id IS NOT NULL", name="superseded_by_set"
        ),
        sa.Index("ix_certificates_email", "email_key", "issued_at"),
        sa.Index("ix_certificates_learner", "learner_id", "issued_at"),
        # The admin list (newest first) and the roster export (by course, by completion).
        sa.Index("ix_certificates_issued", "issued_at"),
        sa.Index("ix_certificates_course_completed", "course_id", "completed_at"),
        # Completions by the learner's license state (Florida's are reported to CE Broker).
        sa.Index("ix_certificates_license_state", "license_state", "completed_at"),
        # The completions CE Broker still waits for (admin/ce_broker.py): with credit, not
        # yet reported. Reported ones leave it, so counting them costs the same however many
        # were reported before.
        sa.Index(
            "ix_certificates_ce_broker_due",
            "license_state",
            "completed_at",
            postgresql_where=sa.text(CE_BROKER_DUE),
            sqlite_where=sa.text(CE_BROKER_DUE),
        ),
        # A status list's set bits: the credentials in its range that no longer stand.
        sa.Index("ix_certificates_status_index", "status", "status_index"),
        # The learner search: the start of the name, of its last word, or of the email.
        # text_pattern_ops lets PostgreSQL use them for LIKE 'prefix%' in any collation.
        sa.Index(
            "ix_certificates_name_key",
            "name_key",
            postgresql_ops={"name_key": "text_pattern_ops"},
        ),
        sa.Index(
            "ix_certificates_surname_key",
            "surname_key",
            postgresql_ops={"surname_key": "text_pattern_ops"},
        ),
        sa.Index(
            "ix_certificates_email_prefix",
            "email_key",
            postgresql_ops={"email_key": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"))
    edition: Mapped[int] = mapped_column(default=1)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))

    # What was printed, kept as printed: the verify page never depends on later edits.
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254))  # lower-cased, for look-ups
    # The name without case (and its last word), for the admin's learner search.
    name_key: Mapped[str | None] = mapped_column(
        sa.String(200), default=_from_full_name(name_search_key)
    )
    surname_key: Mapped[str | None] = mapped_column(
        sa.String(200), default=_from_full_name(surname_search_key)
    )
    profession: Mapped[str] = mapped_column(sa.String(120), default="")
    license_type: Mapped[str] = mapped_column(sa.String(80), default="")
    license_number: Mapped[str] = mapped_column(sa.String(60), default="")
    license_state: Mapped[str] = mapped_column(sa.String(60), default="")
    course_title: Mapped[str] = mapped_column(sa.String(200))
    ce_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score_percent: Mapped[int]
    # Per approval covering the course when issued: body, provider, statement, hours, type.
    credits: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    attestation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status: Mapped[str] = mapped_column(sa.String(12), default=VALID)
    # When the completion was reported to CE Broker (Florida's tracking system): every edition
    # of the attempt carries it, a reissue too. The record of who reported it and in which
    # upload is admin.models.CeBrokerReport.
    ce_broker_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The Open Badge credential (signed JSON) exactly as issued and embedded in the PDF, and its
    # bit in the status lists (None: issued before credentials existed).
    credential: Mapped[str | None] = deferred(mapped_column(sa.Text))
    status_index: Mapped[int | None] = mapped_column(unique=True)

    # The signed PDF exactly as issued; deferred so lists and the verify page never load it.
    pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)

    attempt: Mapped[Attempt] = relationship()
    version: Mapped[CourseVersion] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def filename(self) -> str:
        """The name a downloaded copy is saved under."""
        return f"ce-certificate-{self.number}.pdf"

    @property
    def credential_filename(self) -> str:
        """The name a downloaded credential is saved under."""
        return f"open-badge-{self.number}.json"


class CertificateTally(db.Model):
    """Certificates issued for one course by day (first editions: a reissue is the same
    certificate corrected), kept in the same transaction as each issue so the admin overview
    reads a few rows per day instead of every certificate (ceengine/rollups.py)."""

    __tablename__ = "certificate_tallies"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    issued: Mapped[int] = mapped_column(default=0)
