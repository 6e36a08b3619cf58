"""The certificates' running totals: first editions issued by course and the sponsor's day,
added to in the transaction that issues each one and rebuilt from the stored certificates by
`ceengine admin recount` (ceengine/rollups.py says why they exist)."""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.certificates.models import Certificate, CertificateTally
from ceengine.extensions import db
from ceengine.rollups import add_to_totals, current_dialect, day_of, sql_day

TOTALS = (CertificateTally,)  # the tables recount_certificate_totals rebuilds


def count_issue(certificate: Certificate) -> None:
    """Add a newly issued first edition to the totals (a reissue is not a new certificate)."""
    add_to_totals(
        CertificateTally.__table__,
        ("course_id", "day"),
        [{"course_id": certificate.course_id, "day": day_of(certificate.issued_at), "issued": 1}],
    )


def recount_certificate_totals() -> None:
    """Replace the certificate totals with counts, in SQL, over every first edition.

    The caller holds the locks and commits.
    """
    c = Certificate
    day = sql_day(c.issued_at, current_dialect())
    db.session.execute(sa.delete(CertificateTally))
    db.session.execute(
        sa.insert(CertificateTally).from_select(
            ["course_id", "day", "issued"],
            sa.select(c.course_id, day, sa.func.count())
            .where(c.edition == 1)
            .group_by(c.course_id, day),
        )
    )
