"""The console's first page: a chosen period at a glance, and what needs attention now.

Every figure of the period comes from the running totals (results, certificates, orders and
evaluations by day: ceengine/rollups.py), so the page reads a few rows per day and course at
any size. What needs attention now is counted from the stored rows through an index and
stops at `CAP` (the page then says "1,000 or more"): a backlog that large is one answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from ceengine.admin.ce_broker import Backlog, florida_backlog
from ceengine.admin.charts import Chart, bar_chart, month_slots
from ceengine.admin.filters import Filter
from ceengine.admin.paging import capped_count as count_upto
from ceengine.admin.reports import LOW_RATING, report_courses
from ceengine.billing.models import OrderTally, PaymentProblem
from ceengine.billing.totals import COUNTED as ORDER_COUNTS
from ceengine.certificates.models import CertificateTally
from ceengine.courses.approvals import Approval
from ceengine.courses.models import CourseVersion
from ceengine.courses.services import current_sponsor, sponsor_today
from ceengine.extensions import db
from ceengine.feedback.models import PENDING, EvaluationTally, Reflection
from ceengine.outbox.models import FAILED, OutboxMessage
from ceengine.quizzes.models import VersionResultTally
from ceengine.rollups import current_dialect, month_label
from ceengine.templating import format_money

CAP = 1000  # needs-attention counts stop here
APPROVALS_WITHIN = timedelta(days=60)


@dataclass
class Money:
    """Amounts in cents by currency (a sponsor may charge in more than one)."""

    cents: dict[str, int] = field(default_factory=dict)

    def add(self, currency: str, cents: int) -> None:
        """Add `cents` in `currency`."""
        self.cents[currency] = self.cents.get(currency, 0) + cents

    def items(self) -> list[tuple[str, int]]:
        """(currency, cents), largest first; nothing when all are zero."""
        return sorted(((c, n) for c, n in self.cents.items() if n), key=lambda x: -x[1])


@dataclass
class CourseFigures:
    """One course in the period: quiz results, certificates and what its orders took."""

    course_id: int
    title: str
    attempts: int = 0
    passed: int = 0
    certificates: int = 0
    paid: int = 0
    refunds: int = 0
    disputes: int = 0
    revenue: Money = field(default_factory=Money)
    refunded: Money = field(default_factory=Money)

    @property
    def pass_rate(self) -> int | None:
        """Passed attempts as a rounded percentage of attempts (None: no attempts)."""
        return round(100 * self.passed / self.attempts) if self.attempts else None

    def add(self, other: CourseFigures) -> None:
        """Add another course's figures to these (for the totals row)."""
        for name in ("attempts", "passed", "certificates", "paid", "refunds", "disputes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for currency, cents in other.revenue.cents.items():
            self.revenue.add(currency, cents)
        for currency, cents in other.refunded.cents.items():
            self.refunded.add(currency, cents)


@dataclass
class Attention:
    """What needs someone now (counted up to CAP), whatever the period's dates."""

    reflections: int
    emails_failed: int
    unfulfilled: int
    approvals_ending: list[Approval]
    ce_broker: Backlog | None


@dataclass
class Month:
    """One month of the period: completions, certificates issued and revenue (None: none)."""

    label: str
    completions: int | None = None
    certificates: int | None = None
    revenue: Money = field(default_factory=Money)


@dataclass(frozen=True)
class MonthChart:
    """A by-month chart: its title, its element id and the bars."""

    title: str
    id: str
    chart: Chart


@dataclass
class Overview:
    """The overview page's figures."""

    courses: list[CourseFigures]
    total: CourseFigures
    low_ratings: int
    months: list[Month]
    charts: list[MonthChart]
    attention: Attention
    cap: int = CAP


def _for_course(
    query: sa.Select, column: sa.ColumnElement[int], report_filter: Filter
) -> sa.Select:
    return query.where(column == report_filter.course_id) if report_filter.course_id else query


def _results(report_filter: Filter, courses: dict[int, CourseFigures]) -> dict[str, int]:
    """Attempts and completions per course into `courses`; returns completions by month."""
    t = VersionResultTally
    month = month_label(t.day, current_dialect())
    query = (
        sa.select(CourseVersion.course_id, month, sa.func.sum(t.attempts), sa.func.sum(t.passed))
        .join(t, t.version_id == CourseVersion.id)
        .where(*report_filter.days(t.day))
        .group_by(CourseVersion.course_id, month)
    )
    months: dict[str, int] = defaultdict(int)
    for course_id, label, attempts, passed in db.session.execute(
        _for_course(query, CourseVersion.course_id, report_filter)
    ):
        if course_id in courses:
            courses[course_id].attempts += int(attempts)
            courses[course_id].passed += int(passed)
            if passed:
                months[label] += int(passed)
    return months


def _certificates(report_filter: Filter, courses: dict[int, CourseFigures]) -> dict[str, int]:
    """Certificates per course into `courses`; returns the period's certificates by month."""
    t = CertificateTally
    month = month_label(t.day, current_dialect())
    query = (
        sa.select(t.course_id, month, sa.func.sum(t.issued))
        .where(*report_filter.days(t.day))
        .group_by(t.course_id, month)
    )
    months: dict[str, int] = defaultdict(int)
    for course_id, label, issued in db.session.execute(
        _for_course(query, t.course_id, report_filter)
    ):
        if course_id in courses and issued:
            courses[course_id].certificates += int(issued)
            months[label] += int(issued)
    return months


def _orders(report_filter: Filter, courses: dict[int, CourseFigures]) -> dict[str, Money]:
    """Orders per course into `courses`; returns revenue by month."""
    t = OrderTally
    month = month_label(t.day, current_dialect())
    sums = [sa.func.sum(getattr(t, name)) for name in ORDER_COUNTS]
    query = (
        sa.select(t.course_id, t.currency, month, *sums)
        .where(*report_filter.days(t.day))
        .group_by(t.course_id, t.currency, month)
    )
    months: dict[str, Money] = defaultdict(Money)
    for (
        course_id,
        currency,
        label,
        paid,
        revenue,
        refunds,
        refunded,
        disputes,
    ) in db.session.execute(_for_course(query, t.course_id, report_filter)):
        course = courses.get(course_id)
        if course is None:
            continue
        months[label].add(currency, int(revenue))
        course.paid += int(paid)
        course.refunds += int(refunds)
        course.disputes += int(disputes)
        course.revenue.add(currency, int(revenue))
        course.refunded.add(currency, int(refunded))
    return months


def order_figures(report_filter: Filter) -> tuple[list[CourseFigures], CourseFigures]:
    """Per course and in all: orders paid, revenue, refunds and disputes (from the totals)."""
    courses = {i: CourseFigures(i, title) for i, _, title in report_courses(report_filter)}
    _orders(report_filter, courses)
    return _with_total([c for c in courses.values() if c.paid])


def _with_total(courses: list[CourseFigures]) -> tuple[list[CourseFigures], CourseFigures]:
    total = CourseFigures(0, "All courses")
    for course in courses:
        total.add(course)
    return courses, total


def _low_ratings(report_filter: Filter) -> int:
    t = EvaluationTally
    query = (
        sa.select(sa.func.coalesce(sa.func.sum(t.responses), 0))
        .join(CourseVersion, CourseVersion.id == t.version_id)
        .where(t.question == "rating", t.answer <= LOW_RATING, *report_filter.days(t.day))
    )
    return int(db.session.scalar(_for_course(query, CourseVersion.course_id, report_filter)))


def capped_count(query: sa.Select, cap: int | None = None) -> int:
    """How many rows `query` finds, counting no further than `cap` (default: CAP)."""
    return count_upto(query, cap or CAP)


def approvals_ending(today: date, within: timedelta = APPROVALS_WITHIN) -> list[Approval]:
    """The sponsor's approvals whose period ends from today to `within` days on, soonest
    first."""
    return sorted(
        (a for a in current_sponsor().approvals if a.ends and today <= a.ends <= today + within),
        key=lambda a: a.ends,
    )


def attention(report_filter: Filter) -> Attention:
    """The needs-attention counts (reflections for the chosen course), each indexed and capped."""
    reflections = sa.select(Reflection.id).where(Reflection.status == PENDING)
    return Attention(
        reflections=capped_count(_for_course(reflections, Reflection.course_id, report_filter)),
        emails_failed=capped_count(
            sa.select(OutboxMessage.id).where(OutboxMessage.status == FAILED)
        ),
        unfulfilled=capped_count(sa.select(PaymentProblem.order_id).distinct()),
        approvals_ending=approvals_ending(sponsor_today()),
        ce_broker=florida_backlog(CAP),
    )


def overview(report_filter: Filter) -> Overview:
    """The overview of the filter's course(s) and days."""
    courses = {i: CourseFigures(i, title) for i, _, title in report_courses(report_filter)}
    completions = _results(report_filter, courses)
    certificates = _certificates(report_filter, courses)
    revenue = _orders(report_filter, courses)
    active = [c for c in courses.values() if c.attempts or c.certificates or c.paid]
    listed, total = _with_total(active)
    present = {*completions, *certificates, *(k for k, money in revenue.items() if money.items())}
    months = [
        Month(label, completions.get(label), certificates.get(label), revenue.get(label, Money()))
        for label in month_slots(present, report_filter.start, report_filter.end)
    ]
    return Overview(
        listed,
        total,
        _low_ratings(report_filter),
        months,
        month_charts(months, [currency for currency, _ in total.revenue.items()]),
        attention(report_filter),
        CAP,
    )


def _count_chart(title: str, id: str, counts: list[tuple[str, int | None]]) -> MonthChart:
    bars = [(label, n, f"{n:,}") if n else (label, None, "none") for label, n in counts]
    return MonthChart(title, id, bar_chart(bars))


def month_charts(months: list[Month], currencies: list[str]) -> list[MonthChart]:
    """Completions, certificates and (per currency taken) revenue by month, empty months kept
    as empty slots; no charts when the period has no month with data."""
    if not months:
        return []
    charts = [
        _count_chart(
            "Completions by month", "completions-chart", [(m.label, m.completions) for m in months]
        ),
        _count_chart(
            "Certificates issued by month",
            "certificates-chart",
            [(m.label, m.certificates) for m in months],
        ),
    ]
    for currency in currencies:
        bars = [
            (m.label, cents, format_money(cents, currency))
            if (cents := m.revenue.cents.get(currency))
            else (m.label, None, "none")
            for m in months
        ]
        title = f"Revenue by month ({currency.upper()})"
        charts.append(MonthChart(title, f"revenue-{currency}-chart", bar_chart(bars)))
    return charts
