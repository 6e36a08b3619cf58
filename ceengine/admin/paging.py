"""Pages of a list without counting the whole table (a count grows with the rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from ceengine.extensions import db

PER_PAGE = 25
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    """One page of rows, and whether there are pages on either side."""

    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.number > 1


def page_number(args: MultiDict[str, str]) -> int:
    """The `page` in a query string (1 when absent or not a number)."""
    return args.get("page", 1, type=int) or 1


def page_of(
    statement: sa.Select, number: int, per_page: int = PER_PAGE, scalars: bool = True
) -> Page:
    """Rows `per_page` at a time; one row more than a page tells whether another follows."""
    number = min(max(number, 1), MAX_PAGE)
    statement = statement.limit(per_page + 1).offset((number - 1) * per_page)
    result = db.session.scalars(statement) if scalars else db.session.execute(statement)
    rows = list(result)
    return Page(rows[:per_page], number, len(rows) > per_page)


def capped_count(query: sa.Select, cap: int) -> int:
    """How many rows `query` finds, counting no further than `cap` (a LIMIT inside the count,
    so a large answer costs no more than `cap` rows)."""
    counted = sa.select(sa.func.count()).select_from(query.limit(cap).subquery())
    return int(db.session.scalar(counted))
