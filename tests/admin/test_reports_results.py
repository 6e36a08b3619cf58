"""Quiz results per course version and their item analysis, as the sponsor's staff read them."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

import sqlalchemy as sa

from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt, AttemptAnswer
from tests.support.certificate_steps import take_quiz
from tests.support.factories import attempt_with, version_of
from tests.support.html import html_of, text_of
from tests.support.reports import LESSON, MODULES, PATTERNS, item_rows, page, results_rows

# --- quiz results and item analysis ---------------------------------------------------------


def test_results_show_attempts_pass_rate_and_mean_score_per_version(attempted, admin):
    rows = results_rows(page(admin, "/admin/results"))

    # the lesson: 5, 4, 5, 2, 5, 2 and 3 of 6 right (83, 66, 83, 33, 83, 33, 50%);
    # 5 of 6 reaches the pass mark of 75%: 3 of 7 passed (43%), a mean of 431/7 = 61.6%
    # the modules: 3 and 2 of 3 (100% and 66%), pass mark 80%: 1 of 2, a mean of 83.0%
    assert rows == [
        [LESSON, "Version 1 item analysis", "7", "3", "43%", "61.6%", "75%"],
        [MODULES, "Version 1 item analysis", "2", "1", "50%", "83.0%", "80%"],
    ]


def test_results_count_quizzes_taken_on_the_site(synced, admin):
    for passing in (True, True, False):
        learner = synced.test_client()
        take_quiz(learner, "demo-lesson", passing=passing)

    rows = results_rows(page(admin, "/admin/results"))

    assert rows == [[LESSON, "Version 1 item analysis", "3", "2", "67%", "66.7%", "75%"]]


def expected_items(version_id: int) -> dict[int, dict]:
    """Share correct and discrimination per item, worked out from the raw answers."""
    right: dict[int, dict[int, int]] = defaultdict(dict)  # item -> attempt -> 0/1
    totals: dict[int, int] = {}
    for answer, attempt in db.session.execute(
        sa.select(AttemptAnswer, Attempt).join(Attempt).where(Attempt.version_id == version_id)
    ):
        right[answer.item_id][attempt.id] = int(answer.correct)
        totals[attempt.id] = attempt.correct
    figures = {}
    for item_id, by_attempt in right.items():
        attempts = sorted(by_attempt)
        x = [by_attempt[a] for a in attempts]
        rest = [totals[a] - by_attempt[a] for a in attempts]
        try:
            index = statistics.correlation(x, rest)
        except statistics.StatisticsError:  # one of them does not vary
            index = None
        figures[item_id] = {"answered": len(x), "share": sum(x) / len(x), "index": index}
    return figures


def test_item_analysis_gives_share_correct_and_the_corrected_item_total_correlation(
    attempted, admin
):
    version = version_of("demo-lesson")
    items = list(version.items)
    expected = expected_items(version.id)

    response = page(admin, f"/admin/results/versions/{version.id}")

    assert f"Item analysis: {LESSON} version 1" in text_of(response)
    assert "7 attempts." in text_of(response)
    rows = item_rows(response)
    assert [row[1] for row in rows] == [item.statement for item in items]
    for row, item, pattern_column in zip(rows, items, zip(*PATTERNS, strict=True), strict=True):
        figures = expected[item.id]
        assert figures["share"] == sum(pattern_column) / 7  # the raw rows are as intended
        position, _, answer, answered, share, index, flag = row
        assert (position, answer, answered) == (str(item.position), item.answer, "7")
        assert share == f"{round(100 * figures['share'])}%"
        assert index == ("—" if figures["index"] is None else f"{figures['index']:.2f}")
    flags = [row[6] for row in rows]
    assert flags[0] == "Nearly everyone gets this right"  # 7 of 7
    assert rows[0][5] == "—"  # no spread: the correlation is undefined
    assert flags[5] == "Nearly everyone misses this"  # 1 of 7
    for row, item in zip(rows[1:5], items[1:5], strict=True):
        weak = expected[item.id]["index"] is not None and expected[item.id]["index"] < 0.1
        assert row[6] == ("Does not separate strong from weak attempts" if weak else "")


def test_results_link_to_each_versions_item_analysis(attempted, admin):
    html = html_of(page(admin, "/admin/results"))
    links = re.findall(r'href="(/admin/results/versions/\d+)"', html)

    assert links == [
        f"/admin/results/versions/{version_of(slug).id}" for slug in ("demo-lesson", "demo-modules")
    ]
    assert "2 attempts." in text_of(page(admin, links[1]))
    assert admin.get("/admin/results/versions/999999").status_code == 404


# --- course versions -----------------------------------------------------------------------


def test_results_and_item_analysis_are_kept_per_course_version(synced, courses_dir, admin):
    first = version_of("demo-lesson")
    attempt_with("demo-lesson", [True] * 6)
    attempt_with("demo-lesson", [False] * 6)
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace(
            "statement: Self-compassion has three parts.",
            "statement: Self-compassion has three parts, as Neff describes it.",
        )
    )
    sync_courses(courses_dir)
    second = version_of("demo-lesson")
    attempt_with("demo-lesson", [True] * 6)

    rows = results_rows(page(admin, "/admin/results"))
    first_items = item_rows(page(admin, f"/admin/results/versions/{first.id}"))
    second_items = item_rows(page(admin, f"/admin/results/versions/{second.id}"))

    assert (first.number, second.number) == (1, 2)
    assert rows == [
        [LESSON, "Version 1 item analysis", "2", "1", "50%", "50.0%", "75%"],
        [LESSON, "Version 2 item analysis", "1", "1", "100%", "100.0%", "75%"],
    ]
    answer = first.items[0].answer
    assert first_items[0][1:5] == ["Self-compassion has three parts.", answer, "2", "50%"]
    assert second_items[0][1:5] == [
        "Self-compassion has three parts, as Neff describes it.",
        answer,
        "1",
        "100%",
    ]
