"""The append-only table of audit events, and the triggers that keep it append-only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ceengine.columns import UTCDateTime, utcnow
from ceengine.extensions import db


class AuditEvent(db.Model):
    """One action: who (the admin's id and email, or the command line), when, from which
    address, what (an action name and its target), why, and the values before and after.

    `admin_id` has no foreign key on purpose: an admin account's removal must not rewrite
    the events it left (ON DELETE SET NULL would be an UPDATE, which the table refuses).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_at", "at"),
        sa.Index("ix_audit_events_action_at", "action", "at"),
        sa.Index("ix_audit_events_target", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin_id: Mapped[int | None] = mapped_column()
    actor: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)


APPEND_ONLY_MESSAGE = "audit_events is append-only: events cannot be changed or deleted"

# The same statements run from the migration and when the tests create the tables.
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
]


def trigger_statements(dialect: str) -> list[str]:
    """The statements that make the table append-only on this database."""
    return {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(dialect, [])


@sa.event.listens_for(AuditEvent.__table__, "after_create")
def _append_only(table: sa.Table, connection: sa.Connection, **_kw) -> None:
    for statement in trigger_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
