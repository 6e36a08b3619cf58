"""Quiz results per course version and item analysis, summed in SQL from running totals."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ceengine.admin.filters import Filter
from ceengine.admin.item_analysis import (
    ItemSums,
    VersionSums,
    discrimination,
    flag,
    share_correct,
)
from ceengine.courses.models import Course, CourseVersion, QuizItem
from ceengine.extensions import db
from ceengine.quizzes.models import ItemResultTally, VersionResultTally


@dataclass(frozen=True)
class VersionResults:
    """Attempts at one course version: how many, how many passed, the mean score."""

    version_id: int
    course_title: str
    version_number: int
    pass_threshold: int
    attempts: int
    passed: int
    percent_sum: int

    @property
    def pass_rate(self) -> float:
        """Share of attempts that passed."""
        return self.passed / self.attempts

    @property
    def mean_percent(self) -> float:
        """The mean score in percent."""
        return self.percent_sum / self.attempts


def results_report(report_filter: Filter) -> list[VersionResults]:
    """Every course version with attempts in the range, with pass rate and mean score."""
    r, v = VersionResultTally, CourseVersion
    query = (
        sa.select(
            v.id,
            v.title,
            v.number,
            v.pass_threshold,
            sa.func.sum(r.attempts),
            sa.func.sum(r.passed),
            sa.func.sum(r.percent_sum),
        )
        .join(r, r.version_id == v.id)
        .where(*report_filter.days(r.day))
        .group_by(v.id, v.title, v.number, v.pass_threshold)
        .order_by(v.title, v.number)
    )
    if report_filter.course_id:
        query = query.where(v.course_id == report_filter.course_id)
    return [
        VersionResults(*row[:4], int(row[4]), int(row[5]), int(row[6]))
        for row in db.session.execute(query)
        if row[4]
    ]


@dataclass(frozen=True)
class ItemReport:
    """One quiz item's figures."""

    position: int
    statement: str
    answer: str
    answered: int
    share_correct: float | None
    discrimination: float | None
    flag: str


def item_analysis(version_id: int, report_filter: Filter) -> tuple[VersionSums, list[ItemReport]]:
    """Per item of a version: share answering correctly, discrimination index, a flag."""
    r = VersionResultTally
    n, score_sum, squares = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(r.attempts), 0),
            sa.func.coalesce(sa.func.sum(r.score_sum), 0),
            sa.func.coalesce(sa.func.sum(r.score_squares), 0),
        ).where(r.version_id == version_id, *report_filter.days(r.day))
    ).one()
    version = VersionSums(int(n), int(score_sum), int(squares))
    t = ItemResultTally
    sums = (
        sa.select(
            t.item_id,
            sa.func.sum(t.answered).label("answered"),
            sa.func.sum(t.correct).label("correct"),
            sa.func.sum(t.correct_score_sum).label("xt"),
        )
        .where(
            t.item_id.in_(sa.select(QuizItem.id).where(QuizItem.version_id == version_id)),
            *report_filter.days(t.day),
        )
        .group_by(t.item_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            QuizItem.position,
            QuizItem.statement,
            QuizItem.answer,
            sums.c.answered,
            sums.c.correct,
            sums.c.xt,
        )
        .outerjoin(sums, sums.c.item_id == QuizItem.id)
        .where(QuizItem.version_id == version_id)
        .order_by(QuizItem.position)
    )
    items = []
    for position, statement, answer, answered, correct, xt in rows:
        figures = ItemSums(int(answered or 0), int(correct or 0), int(xt or 0))
        share, index = share_correct(figures), discrimination(figures, version)
        items.append(
            ItemReport(
                position,
                statement,
                answer,
                figures.answered,
                share,
                index,
                flag(share, index, figures.answered),
            )
        )
    return version, items


def version_title(version_id: int) -> CourseVersion | None:
    """The version, for the item analysis page's heading."""
    return db.session.get(CourseVersion, version_id)


def sibling_versions(version: CourseVersion) -> list[tuple[int, int, bool]]:
    """Every version of the version's course, newest first: (id, number, is it current)."""
    current = db.session.scalar(
        sa.select(Course.current_version_id).where(Course.id == version.course_id)
    )
    rows = db.session.execute(
        sa.select(CourseVersion.id, CourseVersion.number)
        .where(CourseVersion.course_id == version.course_id)
        .order_by(CourseVersion.number.desc())
    )
    return [(i, number, i == current) for i, number in rows]
