"""Rebuild every running total from the stored rows, in one transaction.

Each feature rebuilds its own totals beside the code that keeps them (feedback/totals.py,
quizzes/totals.py, certificates/totals.py, billing/totals.py); this takes the locks, runs
them together and commits, with its audit event.
"""

from __future__ import annotations

import sqlalchemy as sa

from ceengine.audit import trail as audit
from ceengine.billing import totals as order_totals
from ceengine.certificates import totals as certificate_totals
from ceengine.extensions import db
from ceengine.feedback import totals as feedback_totals
from ceengine.quizzes import totals as quiz_totals
from ceengine.rollups import current_dialect


def recount_totals() -> dict[str, int]:
    """Replace the running totals with sums over the stored evaluations, attempts,
    certificates and orders.

    The public rating's votes are chosen again from the evaluations and certificates.
    Returns the rows each totals table now holds, by table name.
    """
    tables = (
        *feedback_totals.TOTALS,
        *quiz_totals.TOTALS,
        *certificate_totals.TOTALS,
        *order_totals.TOTALS,
    )
    if current_dialect() == "postgresql":  # quizzes scored meanwhile wait, instead of being lost
        names = ", ".join(model.__tablename__ for model in tables)
        db.session.execute(sa.text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    feedback_totals.recount_feedback_totals()
    quiz_totals.recount_attempt_totals()
    certificate_totals.recount_certificate_totals()
    order_totals.recount_order_totals()
    counts = {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in tables
    }
    audit.record("totals_recounted", "running totals", after=counts)
    db.session.commit()
    return counts
