"""The admin reports: the overview (the console's first page), ratings, evaluations, comments,
results."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.admin import bp
from ceengine.admin.charts import bar_chart
from ceengine.admin.filters import read_filter
from ceengine.admin.overview import overview as period_overview
from ceengine.admin.paging import page_number, page_of
from ceengine.admin.reports import (
    RATING_STATUSES,
    CourseRatings,
    comments_page_query,
    evaluations_report,
    ratings_report,
)
from ceengine.admin.results import (
    item_analysis,
    results_report,
    sibling_versions,
    version_title,
)
from ceengine.courses.estimate import format_hours
from ceengine.courses.services import current_estimates
from ceengine.feedback.votes import vote_status


def _charts(course: CourseRatings) -> dict:
    line = course.line
    if line is None:
        return {}
    distribution = bar_chart(
        [
            (
                f"{stars} star{'s' if stars > 1 else ''}",
                count,
                f"{count} ({round(100 * count / line.votes)}%)",
            )
            for stars, count in sorted(course.distribution.items(), reverse=True)
        ]
    )
    trend = bar_chart(
        [
            (month, m.percent, f"{m.percent}% of {m.votes}") if m else (month, None, "no votes")
            for month, m in course.trend
        ]
    )
    return {"distribution": distribution, "trend": trend}


@bp.get("/")
@bp.get("")  # the canonical address: /admin
def overview() -> ResponseReturnValue:
    """The chosen period at a glance (results, certificates, orders, low ratings) and what
    needs attention now, each figure linking to its list."""
    report_filter, form = read_filter(request.args)
    return render_template(
        "admin/overview.html",
        overview=period_overview(report_filter),
        form=form,
        report_filter=report_filter,
    )


@bp.get("/ratings")
def ratings() -> ResponseReturnValue:
    """Ratings per course: votes, percentage, distribution, trend by month, latest comments;
    and each course's declared CE hours beside its estimated time."""
    report_filter, form = read_filter(request.args)
    courses = ratings_report(report_filter)
    return render_template(
        "admin/ratings.html",
        courses=courses,
        form=form,
        report_filter=report_filter,
        charts={c.course_id: _charts(c) for c in courses},
        estimates=current_estimates(current_app.config["READING_WPM"]),
        credit_margin=current_app.config["CREDIT_MARGIN"],
        format_hours=format_hours,
    )


@bp.get("/comments")
def comments() -> ResponseReturnValue:
    """Every evaluation comment, newest first, a page at a time (or, `status=low`, every
    evaluation of 1 or 2 stars, with or without a comment)."""
    report_filter, form = read_filter(request.args, RATING_STATUSES)
    page = page_of(comments_page_query(report_filter), page_number(request.args), scalars=False)
    return render_template(
        "admin/comments.html",
        page=page,
        form=form,
        report_filter=report_filter,
        statuses=vote_status([e for e, _, _ in page.items]),
    )


@bp.get("/evaluations")
def evaluations() -> ResponseReturnValue:
    """The evaluation summary per course version: objectives and the other questions."""
    report_filter, form = read_filter(request.args)
    return render_template(
        "admin/evaluations.html",
        versions=evaluations_report(report_filter),
        form=form,
        report_filter=report_filter,
    )


@bp.get("/results")
def results() -> ResponseReturnValue:
    """Attempts, pass rate and mean score per course and version."""
    report_filter, form = read_filter(request.args)
    return render_template(
        "admin/results.html",
        versions=results_report(report_filter),
        form=form,
        report_filter=report_filter,
    )


@bp.get("/results/versions/<int(max=2147483647):version_id>")
def items(version_id: int) -> ResponseReturnValue:
    """Item analysis of one course version: share correct and discrimination per question."""
    version = version_title(version_id)
    if version is None:
        abort(404)
    report_filter, form = read_filter(request.args)
    versions = sibling_versions(version)
    # The filter's version menu (a GET form) names another version: show that one instead.
    chosen = request.args.get("version", "")
    if chosen != str(version_id) and any(str(i) == chosen for i, _, _ in versions):
        return redirect(
            url_for("admin.items", version_id=int(chosen), **report_filter.args(course=""))
        )
    sums, rows = item_analysis(version_id, report_filter)
    return render_template(
        "admin/items.html",
        version=version,
        versions=versions,
        sums=sums,
        rows=rows,
        form=form,
        report_filter=report_filter,
    )
