"""The CSV exports for accreditors: the roster and the evaluations, and their filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ceengine.admin.exports import ROSTER_COLUMNS
from ceengine.certificates.models import REVOKED
from ceengine.extensions import db
from ceengine.localtime import local
from tests.support.certificate_steps import certificates, issue
from tests.support.factories import at, attempt_with, certificate_row, course_id, evaluation_with
from tests.support.html import html_of
from tests.support.reports import LESSON, MODULES, csv_rows, page

# --- exports -------------------------------------------------------------------------------


@pytest.fixture
def roster(synced):
    """Three certificates: April 2 (modules), April 10 (lesson, revoked), today (lesson)."""
    first = certificate_row(
        attempt_with("demo-modules", [True] * 3, when=at("2024-04-02")),
        full_name='=HYPERLINK("https://evil.test","Fix")',
        email="+1@example.org",
        profession="Nurse",
        license_type="RN",
        license_number="RN-55",
        license_state="OR",
        issued_at=at("2024-04-03"),
    )
    second = certificate_row(
        attempt_with("demo-lesson", [True] * 6, when=at("2024-04-10")),
        full_name="Kim Lee",
        email="kim@example.org",
        profession="Social worker",
        license_type="LCSW",
        license_number="LC-778",
        license_state="WA",
        issued_at=at("2024-04-10", 13),
    )
    second.status, second.revoked_reason = REVOKED, "Issued in error"
    second.revoked_at = datetime.now(UTC)
    db.session.commit()
    issue(synced.test_client(), "demo-lesson", full_name="Ana María Núñez", email="ana@example.org")
    third = certificates()[-1]
    return [first, second, third]


def test_the_roster_has_one_row_per_certificate_with_what_boards_ask_for(roster, admin):
    first, second, third = roster
    response = admin.get("/admin/exports/roster.csv")

    rows = csv_rows(response)

    assert re.fullmatch(
        r'attachment; filename="ceengine-roster-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    assert rows[0] == ROSTER_COLUMNS
    today = datetime.now(UTC).date().isoformat()
    assert rows[1:] == [
        [
            '\'=HYPERLINK("https://evil.test","Fix")',
            "'+1@example.org",
            "Nurse",
            "RN",
            "RN-55",
            "OR",
            MODULES,
            "demo-modules",
            "1",
            "0.5",
            "2024-04-02",
            first.number,
            "valid",
            "2024-04-03",
            "",
            "",
            "0",  # minutes on the course: scored as soon as it was opened
        ],
        [
            "Kim Lee",
            "kim@example.org",
            "Social worker",
            "LCSW",
            "LC-778",
            "WA",
            LESSON,
            "demo-lesson",
            "1",
            "1",
            "2024-04-10",
            second.number,
            "revoked",
            "2024-04-10",
            "",
            "",
            "0",
        ],
        [
            "Ana María Núñez",
            "ana@example.org",
            "",
            "",
            "",
            "",
            LESSON,
            "demo-lesson",
            "1",
            "1",
            today,
            third.number,
            "valid",
            today,
            "",  # the fixture courses carry no accredited credit
            local(third.attested_at).isoformat(timespec="seconds"),  # ticked on the form
            "0",
        ],
    ]
    assert third.attested_at is not None


def test_the_roster_honours_the_course_dates_and_status(roster, admin):
    first, second, third = roster
    lesson = course_id("demo-lesson")

    def numbers(query: str) -> list[str]:
        rows = csv_rows(admin.get(f"/admin/exports/roster.csv?{query}"))
        return [row[rows[0].index("certificate_number")] for row in rows[1:]]

    assert numbers(f"course={lesson}") == [second.number, third.number]
    assert numbers("start=2024-04-05&end=2024-04-30") == [second.number]
    assert numbers("end=2024-04-02") == [first.number]  # the end day counts whole
    assert numbers("status=revoked") == [second.number]
    assert numbers(f"course={lesson}&status=valid") == [third.number]


def test_the_exports_page_links_carry_the_chosen_filter(synced, admin):
    lesson = course_id("demo-lesson")

    html = html_of(
        page(admin, f"/admin/exports?course={lesson}&start=2024-01-01&end=2024-06-30&status=valid")
    )

    roster_link = re.search(r'href="(/admin/exports/roster\.csv[^"]*)"', html).group(1)
    evaluations_link = re.search(r'href="(/admin/exports/evaluations\.csv[^"]*)"', html).group(1)
    for link in (roster_link, evaluations_link):
        assert f"course={lesson}" in link
        assert "start=2024-01-01" in link and "end=2024-06-30" in link
    assert "status=valid" in roster_link and "status" not in evaluations_link


@pytest.fixture
def evaluated(synced):
    """An evaluation of each course, in May 2024; the lesson's comment looks like a formula."""
    lesson = evaluation_with(
        "demo-lesson",
        5,
        (5, 4),
        relevance=4,
        presenter=5,
        recommend=True,
        comments="=1+1",
        when=at("2024-05-01"),
    )
    modules = evaluation_with(
        "demo-modules",
        2,
        (3,),
        relevance=2,
        presenter=3,
        recommend=False,
        comments='Fine,\n"mostly"',
        when=at("2024-05-03"),
    )
    return lesson, modules


def test_the_evaluations_export_has_one_row_per_evaluation_with_each_objective(evaluated, admin):
    lesson, modules = evaluated

    rows = csv_rows(admin.get("/admin/exports/evaluations.csv"))

    assert rows == [
        [
            "evaluation_id",
            "course",
            "course_slug",
            "course_version",
            "evaluated_date",
            "rating",
            "Objective 1 (demo-lesson): Name the three parts of self-compassion.",
            "Objective 2 (demo-lesson): Describe one informal practice.",
            "Objective 1 (demo-modules): Follow a course module by module.",
            "relevance",
            "presenter_knowledge",
            "recommend",
            "comments",
            "certified",
            "public_vote",
        ],
        [
            str(lesson.id),
            LESSON,
            "demo-lesson",
            "1",
            "2024-05-01",
            "5",
            "5",
            "4",
            "",
            "4",
            "5",
            "yes",
            "'=1+1",
            "no",
            "no",
        ],
        [
            str(modules.id),
            MODULES,
            "demo-modules",
            "1",
            "2024-05-03",
            "2",
            "",
            "",
            "3",
            "2",
            "3",
            "no",
            'Fine,\n"mostly"',
            "no",
            "no",
        ],
    ]


def test_the_evaluations_export_honours_the_course_and_dates(evaluated, admin):
    lesson, modules = evaluated

    one_course = csv_rows(
        admin.get(f"/admin/exports/evaluations.csv?course={course_id('demo-modules')}")
    )
    later = csv_rows(admin.get("/admin/exports/evaluations.csv?start=2024-05-02"))
    earlier = csv_rows(admin.get("/admin/exports/evaluations.csv?end=2024-05-01"))

    assert one_course[0] == [
        "evaluation_id",
        "course",
        "course_slug",
        "course_version",
        "evaluated_date",
        "rating",
        "Objective 1: Follow a course module by module.",
        "relevance",
        "presenter_knowledge",
        "recommend",
        "comments",
        "certified",
        "public_vote",
    ]
    assert [row[0] for row in one_course[1:]] == [str(modules.id)]
    assert [row[0] for row in later[1:]] == [str(modules.id)]
    assert [row[0] for row in earlier[1:]] == [str(lesson.id)]
