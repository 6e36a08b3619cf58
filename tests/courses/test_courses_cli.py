"""`ceengine courses check | sync | answer-key`, as an author and an accreditor use them."""

from __future__ import annotations

import json
import shutil

import sqlalchemy as sa

from ceengine.courses.models import Course, CourseVersion, QuizItem
from ceengine.extensions import db
from tests.support.app import PROJECT_COURSES


def test_check_passes_on_the_project_courses(runner):
    result = runner.invoke(args=["courses", "check", "--dir", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    assert "4 courses checked, no mistakes." in result.output
    assert (
        "ok  self-compassion-for-clinicians: single page, 1 CE hours, 8 quiz items" in result.output
    )


def test_check_fails_naming_file_line_and_reason(runner, courses_dir):
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace("section: practising-every-day", "section: nowhere", 1)
    )
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 1
    assert (
        "courses/demo-lesson/quiz.yaml:11: item 'only-formal': section 'nowhere' is not "
        "a '## ' heading"
    ) in result.output
    assert "1 mistake: nothing was loaded." in result.output


def test_sync_is_idempotent(runner):
    first = runner.invoke(args=["courses", "sync"])
    assert "demo-lesson: added (version 1)" in first.output
    second = runner.invoke(args=["courses", "sync"])
    assert second.exit_code == 0
    assert "demo-lesson: unchanged (version 1)" in second.output
    assert db.session.scalar(sa.select(sa.func.count(CourseVersion.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(QuizItem.id))) == 9


def test_a_changed_quiz_is_a_new_version_and_the_old_one_is_kept(runner, courses_dir):
    runner.invoke(args=["courses", "sync"])
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace(
            "Self-compassion has three parts.", "Self-compassion has exactly three parts."
        )
    )
    result = runner.invoke(args=["courses", "sync"])
    assert "demo-lesson: new version (version 2)" in result.output
    course = db.session.scalar(sa.select(Course).where(Course.slug == "demo-lesson"))
    versions = db.session.scalars(
        sa.select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert course.current_version_id == versions[1].id
    assert versions[0].items[0].statement == "Self-compassion has three parts."
    assert versions[1].items[0].statement == "Self-compassion has exactly three parts."


def test_reverting_a_course_restores_its_earlier_version(runner, courses_dir):
    runner.invoke(args=["courses", "sync"])
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    original = quiz.read_text()
    quiz.write_text(original.replace("three parts.", "3 parts."))
    runner.invoke(args=["courses", "sync"])
    quiz.write_text(original)
    result = runner.invoke(args=["courses", "sync"])
    assert "demo-lesson: restored version (version 1)" in result.output


def test_a_removed_course_is_unpublished_not_deleted(runner, courses_dir, client):
    runner.invoke(args=["courses", "sync"])
    shutil.rmtree(courses_dir / "demo-modules")
    result = runner.invoke(args=["courses", "sync"])
    assert "demo-modules: unpublished" in result.output
    assert db.session.scalar(sa.select(sa.func.count(CourseVersion.id))) == 2
    assert client.get("/courses/demo-modules").status_code == 404


def test_a_broken_course_loads_nothing(runner, courses_dir):
    lesson = courses_dir / "demo-modules" / "modules" / "01-getting-started.md"
    lesson.write_text("no title line\n")
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


def test_answer_key_json_matches_the_page_statements(runner, client):
    runner.invoke(args=["courses", "sync"])
    result = runner.invoke(args=["courses", "answer-key", "demo-lesson", "--format", "json"])
    assert result.exit_code == 0, result.output
    key = json.loads(result.output)
    assert [entry["answer"] for entry in key] == [True, False, "Common humanity", True, False, True]
    assert key[0]["statement"] == "Self-compassion has three parts."
    assert all({"statement", "answer"} <= set(entry) for entry in key)


def test_answer_key_for_an_unknown_course_says_so(runner):
    result = runner.invoke(args=["courses", "answer-key", "no-such-course"])
    assert result.exit_code == 1
    assert "there is no course folder 'no-such-course'" in result.output
