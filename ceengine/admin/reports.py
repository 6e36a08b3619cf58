"""Ratings and evaluation summaries, summed in SQL from the running totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from ceengine.admin.charts import month_slots
from ceengine.admin.filters import Filter
from ceengine.courses.models import Course, CourseVersion
from ceengine.extensions import db
from ceengine.feedback.models import Evaluation, EvaluationTally, RatingVote
from ceengine.feedback.services import RatingLine, rating_lines
from ceengine.feedback.votes import vote_status
from ceengine.rollups import current_dialect, month_label

LATEST_COMMENTS = 3
RATING_STATUSES = [("", "Evaluations with a comment"), ("low", "Low ratings (1-2 stars)")]
LOW_RATING = 2  # stars: an evaluation of 1 or 2 stars needs a look
QUESTION_LABELS = {
    "rating": "Overall rating (1-5 stars)",
    "relevance": "Relevance to practice (1-5)",
    "presenter_knowledge": "Presenter's knowledge (1-5)",
}


@dataclass
class CourseRatings:
    """One course's ratings: the public line (certified votes, today), and from every response
    in the dates: the 1-5 distribution, the trend, the latest comments (each marked)."""

    course_id: int
    slug: str
    title: str
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    trend: list[tuple[str, RatingLine | None]] = field(default_factory=list)  # None: no votes
    comments: list[Evaluation] = field(default_factory=list)
    public: RatingLine | None = None
    vote_status: dict[int, str] = field(default_factory=dict)  # evaluation id -> votes.COUNTED…

    @property
    def line(self) -> RatingLine | None:
        """Votes and percentage of every response, or None before the first one."""
        votes = sum(self.distribution.values())
        stars = sum(n * count for n, count in self.distribution.items())
        return RatingLine(votes, stars) if votes else None


def report_courses(report_filter: Filter) -> list[tuple[int, str, str]]:
    """(id, slug, current title) of the filter's course, or of every course, by title."""
    query = (
        sa.select(Course.id, Course.slug, CourseVersion.title)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(CourseVersion.title, Course.slug)
    )
    if report_filter.course_id:
        query = query.where(Course.id == report_filter.course_id)
    return [(i, slug, title or slug) for i, slug, title in db.session.execute(query)]


def _rating_tallies(report_filter: Filter):
    t = EvaluationTally
    query = (
        sa.select(CourseVersion.course_id)
        .join(t, t.version_id == CourseVersion.id)
        .where(t.question == "rating", *report_filter.days(t.day))
    )
    if report_filter.course_id:
        query = query.where(CourseVersion.course_id == report_filter.course_id)
    return query


def latest_comments(
    course_id: int, report_filter: Filter, limit: int = LATEST_COMMENTS
) -> list[Evaluation]:
    """The newest evaluations of a course that carry a comment."""
    return list(
        db.session.scalars(
            sa.select(Evaluation)
            .where(
                Evaluation.course_id == course_id,
                Evaluation.comments != "",
                *report_filter.moments(Evaluation.updated_at),
            )
            .order_by(Evaluation.updated_at.desc(), Evaluation.id.desc())
            .limit(limit)
        )
    )


def ratings_report(report_filter: Filter) -> list[CourseRatings]:
    """Per course: the distribution of stars, the trend by month, and the latest comments."""
    courses = {i: CourseRatings(i, slug, title) for i, slug, title in report_courses(report_filter)}
    t = EvaluationTally
    month = month_label(t.day, current_dialect())
    # One pass over the rating totals: votes per course, month and star; both views add up.
    by_month: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for course_id, label, stars, count in db.session.execute(
        _rating_tallies(report_filter)
        .add_columns(month, t.answer, sa.func.sum(t.responses))
        .group_by(CourseVersion.course_id, month, t.answer)
    ):
        if course_id in courses and count:
            courses[course_id].distribution[stars] += int(count)
            by_month[course_id, label][stars] = int(count)
    for course_id, course in courses.items():
        months = [label for (i, label) in by_month if i == course_id]
        if not months:
            continue
        # Every month of the period, a month without ratings as an empty slot (None).
        for label in month_slots(months, report_filter.start, report_filter.end):
            counts = by_month.get((course_id, label))
            course.trend.append(
                (
                    label,
                    RatingLine(sum(counts.values()), sum(s * n for s, n in counts.items()))
                    if counts
                    else None,
                )
            )
    public = rating_lines(list(courses))
    for course in courses.values():
        course.public = public.get(course.course_id)
        course.comments = latest_comments(course.course_id, report_filter) if course.line else []
        course.vote_status = vote_status(course.comments)
    # The courses learners have rated come first, the most votes first.
    return sorted(courses.values(), key=lambda c: -c.line.votes if c.line else 0)


@dataclass
class VersionEvaluations:
    """The evaluation summary of one course version: what accreditors ask sponsors for."""

    course_title: str
    version_number: int
    objectives: tuple[str, ...]
    responses: int = 0
    counted: int = 0  # of the responses, how many are votes on the public line
    means: dict[str, float] = field(default_factory=dict)
    recommend_share: float | None = None

    def objective_means(self) -> list[tuple[str, float | None]]:
        """Each objective with how well it was met on average (1-5)."""
        return [
            (text, self.means.get(f"objective-{n}"))
            for n, text in enumerate(self.objectives, start=1)
        ]

    def question_means(self) -> list[tuple[str, float | None]]:
        """The other 1-5 questions with their averages."""
        return [(label, self.means.get(q)) for q, label in QUESTION_LABELS.items()]


def _counted_per_version(report_filter: Filter, version_ids: list[int]) -> dict[int, int]:
    """How many evaluations of each version (saved in the dates) are public votes now."""
    if not version_ids:
        return {}
    rows = db.session.execute(
        sa.select(Evaluation.version_id, sa.func.count())
        .join(RatingVote, RatingVote.evaluation_id == Evaluation.id)
        .where(
            Evaluation.version_id.in_(version_ids), *report_filter.moments(Evaluation.updated_at)
        )
        .group_by(Evaluation.version_id)
    )
    return {version_id: int(count) for version_id, count in rows}


def evaluations_report(report_filter: Filter) -> list[VersionEvaluations]:
    """Per course version: responses, per-objective averages and the other questions."""
    t = EvaluationTally
    query = (
        sa.select(
            t.version_id, t.question, sa.func.sum(t.responses), sa.func.sum(t.answer * t.responses)
        )
        .join(CourseVersion, CourseVersion.id == t.version_id)
        .where(*report_filter.days(t.day))
        .group_by(t.version_id, t.question)
    )
    if report_filter.course_id:
        query = query.where(CourseVersion.course_id == report_filter.course_id)
    sums: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for version_id, question, count, total in db.session.execute(query):
        if count:
            sums[version_id][question] = (int(count), int(total))
    counted = _counted_per_version(report_filter, list(sums))
    versions = db.session.scalars(
        sa.select(CourseVersion)
        .where(CourseVersion.id.in_(sums))
        .order_by(CourseVersion.title, CourseVersion.number)
    )
    report = []
    for version in versions:
        answers = sums[version.id]
        summary = VersionEvaluations(
            version.title,
            version.number,
            version.spec.objectives,
            responses=answers.get("rating", (0, 0))[0],
            counted=counted.get(version.id, 0),
        )
        summary.means = {q: total / count for q, (count, total) in answers.items()}
        summary.recommend_share = summary.means.pop("recommend", None)
        report.append(summary)
    return report


def comments_page_query(report_filter: Filter) -> sa.Select:
    """Evaluations with comments (status `low`: every evaluation of 1 or 2 stars), newest
    first, for the paged comments list."""
    low = report_filter.status == "low"
    shown = Evaluation.rating <= LOW_RATING if low else Evaluation.comments != ""
    query = (
        sa.select(Evaluation, CourseVersion.title, CourseVersion.number)
        .join(CourseVersion, CourseVersion.id == Evaluation.version_id)
        .where(shown, *report_filter.moments(Evaluation.updated_at))
        .order_by(Evaluation.updated_at.desc(), Evaluation.id.desc())
    )
    if report_filter.course_id:
        query = query.where(Evaluation.course_id == report_filter.course_id)
    return query
