"""Running totals kept beside the raw rows, so report pages cost the same at any size.

A count over a million rows grows with the rows; a total kept up to date in the same
transaction as each write does not. Each rollup table has a unique key (what it counts, and
the day) and integer columns that writes add to with one INSERT … ON CONFLICT DO UPDATE,
which is atomic on PostgreSQL and SQLite alike. `ceengine admin recount` rebuilds them from
the raw rows should they ever be doubted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ceengine import localtime
from ceengine.extensions import db


def add_to_totals(table: sa.Table, key_columns: Sequence[str], rows: list[dict]) -> None:
    """Add each row's numbers to the totals under its key, creating the key when new."""
    if not rows:
        return
    insert = postgresql.insert if current_dialect() == "postgresql" else sqlite.insert
    # One order for every writer, so two transactions never wait on each other in a circle.
    rows = sorted(rows, key=lambda row: tuple(str(row[k]) for k in key_columns))
    statement = insert(table).values(rows)
    counted = [name for name in rows[0] if name not in key_columns]
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key_columns),
            set_={name: table.c[name] + statement.excluded[name] for name in counted},
        )
    )


def take_from_totals(table: sa.Table, key_columns: Sequence[str], rows: list[dict]) -> None:
    """Subtract each row's numbers from the totals under its key (the key must exist).

    An UPDATE, not an upsert: the databases check an upsert's new row against the table's
    constraints before they see the conflict, so negative numbers would be refused there.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: tuple(str(row[k]) for k in key_columns))
    counted = [name for name in rows[0] if name not in key_columns]
    statement = (
        sa.update(table)
        .where(*(table.c[k] == sa.bindparam(f"key_{k}") for k in key_columns))
        .values({name: table.c[name] - sa.bindparam(f"less_{name}") for name in counted})
    )
    db.session.execute(
        statement,
        [
            {
                **{f"key_{k}": row[k] for k in key_columns},
                **{f"less_{name}": row[name] for name in counted},
            }
            for row in rows
        ],
    )


def day_of(moment: datetime) -> date:
    """The sponsor's calendar day a moment falls on (rollups count by CEENGINE_TIMEZONE's
    days, so a change of zone needs `ceengine admin recount`)."""
    return localtime.day_of(moment)


def month_label(column: sa.ColumnElement[date], dialect: str) -> sa.ColumnElement[str]:
    """SQL for the 'YYYY-MM' month of a date column, on PostgreSQL or SQLite."""
    if dialect == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def sql_day(column: sa.ColumnElement[datetime], dialect: str) -> sa.ColumnElement[date]:
    """SQL for the sponsor's day of a timestamp column (used when rebuilding rollups)."""
    zone = localtime.zone_name()
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone(zone, column), sa.Date)
    # A function of each SQLite connection (ceengine/extensions.py): SQLite has no zones.
    return sa.func.local_day(column, zone)


def current_dialect() -> str:
    """The database dialect of the session: 'postgresql' or 'sqlite'."""
    return db.session.get_bind().dialect.name
