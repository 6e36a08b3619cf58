"""Quiz items, stored per course version."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceengine.courses.models import CourseVersion
from ceengine.extensions import db


class QuizItem(db.Model):
    """One comprehension item of one course version; its answer never leaves the server."""

    __tablename__ = "quiz_items"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.UniqueConstraint("version_id", "position"),
        sa.CheckConstraint("kind IN ('true_false', 'multiple_choice')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_versions.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.Text)
    options: Mapped[list] = mapped_column(sa.JSON)
    answer: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text)
    section: Mapped[str] = mapped_column(sa.String(200))
    module: Mapped[str] = mapped_column(sa.String(100))

    version: Mapped[CourseVersion] = relationship(back_populates="items")
