"""Column helpers shared by the feature models: UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """The current time in UTC (a callable default, evaluated per row)."""
    return datetime.now(UTC)


UTCDateTime = sa.DateTime(timezone=True)
