"""The course and date filters of the admin reports, and addresses no report page fails on."""

from __future__ import annotations

import re

from ceengine.admin.recount import recount_totals
from tests.support.factories import at, attempt_with, course_id, evaluation_with, version_of
from tests.support.html import html_of, table_with, text_of
from tests.support.reports import (
    LESSON,
    MODULES,
    PATTERNS,
    body_rows,
    item_rows,
    page,
    results_rows,
    sections_in,
)

# --- filters -------------------------------------------------------------------------------


def test_the_course_filter_narrows_every_report_to_one_course(rated, attempted, admin):
    evaluation_with("demo-modules", 2, comments="Modules comment.")
    modules = course_id("demo-modules")

    ratings = sections_in(page(admin, f"/admin/ratings?course={modules}"))
    results = results_rows(page(admin, f"/admin/results?course={modules}"))
    evaluations = sections_in(page(admin, f"/admin/evaluations?course={modules}"))
    comments = text_of(page(admin, f"/admin/comments?course={modules}"))

    assert list(ratings) == [MODULES]
    assert "40% from 1 vote" in text_of(ratings[MODULES])
    assert [row[0] for row in results] == [MODULES]
    assert list(evaluations) == [f"{MODULES} version 1"]
    assert "Modules comment." in comments and "Good pace." not in comments
    chosen = re.search(
        r'<option selected value="(\d+)">|<option value="(\d+)" selected>',
        html_of(page(admin, f"/admin/ratings?course={modules}")),
    )
    assert chosen and str(modules) in chosen.groups()
    # a course that is not a number is ignored, not an error
    assert set(sections_in(page(admin, "/admin/ratings?course=x' OR 1=1 --"))) == {LESSON, MODULES}


def test_dates_narrow_the_ratings_to_the_day_of_each_evaluation(rated, admin):
    february = sections_in(page(admin, "/admin/ratings?start=2024-02-01&end=2024-02-29"))[LESSON]
    january = sections_in(page(admin, "/admin/ratings?end=2024-01-31"))[LESSON]
    last_day = sections_in(page(admin, "/admin/ratings?start=2024-02-25&end=2024-02-25"))[LESSON]
    none = sections_in(page(admin, "/admin/ratings?start=2024-03-01"))[LESSON]

    assert "53% from 3 votes" in text_of(february)
    assert body_rows(table_with(february, "Rating by month")) == [["2024-02", "3", "53%"]]
    assert "Loved the breathing practice." not in text_of(february)
    assert "100% from 2 votes" in text_of(january)
    assert "Good pace." not in text_of(january)
    # given at 23:00 UTC on the 25th: the end day counts whole
    assert "20% from 1 vote" in text_of(last_day)
    assert "Too short for an hour." in text_of(last_day)
    assert "No ratings in these dates yet." in text_of(none)


def test_dates_narrow_the_comments_and_the_evaluation_summary(rated, admin):
    comments = text_of(page(admin, "/admin/comments?start=2024-02-01"))
    summary = text_of(page(admin, "/admin/evaluations?start=2024-01-01&end=2024-01-31"))

    assert "Good pace." in comments and "Too short for an hour." in comments
    assert "Loved the breathing practice." not in comments
    assert "2 evaluations." in summary


def test_dates_narrow_the_results_to_the_day_of_each_attempt(synced, admin):
    for n, pattern in enumerate(PATTERNS):
        attempt_with(
            "demo-lesson",
            [bool(x) for x in pattern],
            when=at("2024-03-01" if n < 4 else "2024-03-20", 23),
        )
    recount_totals()
    version = version_of("demo-lesson").id

    early = results_rows(page(admin, "/admin/results?end=2024-03-01"))
    late = results_rows(page(admin, "/admin/results?start=2024-03-10"))
    items_late = page(admin, f"/admin/results/versions/{version}?start=2024-03-10")
    between = page(admin, "/admin/results?start=2024-03-02&end=2024-03-19")

    # the first four: 5, 4, 5, 2 right (83, 66, 83, 33%): 2 passed, a mean of 66.25%
    assert early == [[LESSON, "Version 1 item analysis", "4", "2", "50%", "66.2%", "75%"]]
    # the last three: 5, 2, 3 right (83, 33, 50%): 1 passed, a mean of 55.3%
    assert late == [[LESSON, "Version 1 item analysis", "3", "1", "33%", "55.3%", "75%"]]
    assert "3 attempts." in text_of(items_late)
    assert [row[3] for row in item_rows(items_late)] == ["3"] * 6
    assert "No attempts match." in text_of(between)


def test_an_end_before_the_start_is_explained_and_everything_shown(rated, admin):
    for address in (
        "/admin",
        "/admin/ratings",
        "/admin/results",
        "/admin/evaluations",
        "/admin/comments",
        "/admin/certificates",
        "/admin/reflections",
        "/admin/orders",
        "/admin/exports",
    ):
        response = page(admin, f"{address}?start=2024-02-10&end=2024-02-01")
        assert "The end date is before the start date." in text_of(response), address

    lesson = sections_in(page(admin, "/admin/ratings?start=2024-02-10&end=2024-02-01"))[LESSON]
    assert "72% from 5 votes" in text_of(lesson)


def test_a_bad_date_drops_only_the_dates_and_an_export_refuses_it(rated, admin):
    other = course_id("demo-modules")
    listing = page(admin, f"/admin/ratings?course={other}&start=garbage")
    assert "Not a valid date value." in text_of(listing)
    assert LESSON not in sections_in(listing)  # the course still narrows the page

    for export in ("roster", "evaluations"):
        response = admin.get(f"/admin/exports/{export}.csv?course={other}&start=garbage")
        assert response.status_code == 400, export
        assert "nothing was exported" in text_of(response)
        assert response.mimetype == "text/html"


# --- addresses and filters no page should fail on --------------------------------------------


def test_the_latest_end_date_is_accepted(synced, admin):
    for address in ("/admin/comments", "/admin/certificates", "/admin/exports/roster.csv"):
        response = admin.get(f"{address}?end=9999-12-31")
        assert response.status_code in (200, 422), address


def test_an_id_too_large_for_the_database_is_not_found(synced, admin):
    for address in (
        "/admin/results/versions/99999999999999999999",
        "/admin/reflections/99999999999999999999/delete",
    ):
        assert admin.get(address).status_code == 404, address


def test_a_search_too_long_is_explained_and_left_out(synced, admin):
    for address in ("/admin/certificates", "/admin/audit", "/admin/orders"):
        response = page(admin, f"{address}?q={'x' * 100_001}")
        assert "Field cannot be longer than 200 characters." in text_of(response), address
