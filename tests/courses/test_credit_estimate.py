"""`ceengine courses credit-estimate` and the check's warning, as a sponsor reads them before
applying for approval: each course's estimated time beside the CE hours it declares."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ceengine.config import Config
from ceengine.courses.models import Course, CourseVersion
from ceengine.extensions import db
from tests.support.app import PROJECT_COURSES

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def estimates_in(output: str) -> dict[str, dict[str, str]]:
    """Each course's table in the command's output: {slug: {label: value}}."""
    tables = {}
    for block in output.strip().split("\n\n"):
        heading, *rows = block.splitlines()
        slug = heading.rsplit("(", 1)[1].rstrip(")")
        tables[slug] = dict((part.strip() for part in row.strip().split("  ", 1)) for row in rows)
    return tables


@ONLY_SQLITE
def test_the_shipped_courses_are_estimated_part_by_part(runner):
    result = runner.invoke(args=["courses", "credit-estimate", "--dir", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    tables = estimates_in(result.output)
    measured = {
        slug: (
            table["Lesson words"],
            table["Estimated total"],
            table["Rounded to the quarter hour"],
            table["Declared CE hours"],
            table["Difference"].split()[0],
        )
        for slug, table in tables.items()
    }
    assert measured == {
        "cognitively-based-compassion-training": ("5,262", "3 h 41 min", "3.75 h", "2 h", "-46%"),
        "compassion-cultivation-training": ("5,153", "1 h 52 min", "1.75 h", "2 h", "+7%"),
        "cultivating-compassion-barriers-and-practices": (
            "2,744",
            "1 h 1 min",
            "1 h",
            "1 h",
            "-2%",
        ),
        "self-compassion-for-clinicians": ("1,832", "1 h 35 min", "1.5 h", "1 h", "-37%"),
    }
    clinicians = tables["self-compassion-for-clinicians"]
    assert clinicians["Reading at 200 words/min"] == "9 min"
    # The 4:53 practice, read from the file, and the 13-minute talk the lesson points to.
    assert clinicians["Audio and video"] == "18 min"
    assert clinicians["Exercises (stated minutes)"] == "1 h"  # 20 + 20 + 5 + 15
    assert clinicians["Quiz (8 items, 1 min each)"] == "8 min"
    # Exercises whose duration is prose ("Throughout the day") are named, not guessed.
    assert tables["compassion-cultivation-training"]["Exercises (stated minutes)"] == (
        "1 h (7 more without stated minutes, not counted)"
    )


@ONLY_SQLITE
def test_one_course_by_its_slug_and_an_unknown_slug_is_named(runner):
    result = runner.invoke(
        args=["courses", "credit-estimate", "demo-lesson"],
    )
    assert result.exit_code == 0, result.output
    assert list(estimates_in(result.output)) == ["demo-lesson"]
    assert estimates_in(result.output)["demo-lesson"]["Difference"] == (
        "+104% (declared hours are 104% more than the estimate)"
    )

    missing = runner.invoke(args=["courses", "credit-estimate", "no-such-course"])
    assert missing.exit_code == 1
    assert "there is no course folder 'no-such-course'" in missing.output


@ONLY_SQLITE
def test_the_reading_rate_setting_changes_the_reading_minutes(app_with):
    runner = app_with(READING_WPM=100).test_cli_runner()
    result = runner.invoke(
        args=["courses", "credit-estimate", "cultivating-compassion-barriers-and-practices"]
        + ["--dir", str(PROJECT_COURSES)]
    )
    table = estimates_in(result.output)["cultivating-compassion-barriers-and-practices"]
    assert table["Reading at 100 words/min"] == "27 min"  # 2,744 words
    assert table["Estimated total"] == "1 h 15 min"


@ONLY_SQLITE
def test_check_warns_when_declared_hours_exceed_the_estimate_by_more_than_the_margin(
    runner, courses_dir
):
    meta = courses_dir / "demo-lesson" / "course.yaml"
    line = meta.read_text().splitlines().index("ce_hours: 1") + 1

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 0, result.output  # advice: the course still loads
    assert (
        f"courses/demo-lesson/course.yaml:{line}: warning: ce_hours 1 h is 104% more than the "
        "estimated 29 min, and CE hours may be at most 25% above the estimate; see "
        "`ceengine courses credit-estimate demo-lesson`"
    ) in result.output
    assert "2 courses checked, no mistakes." in result.output

    # Half an hour for 29 estimated minutes is within the margin: no warning.
    meta.write_text(meta.read_text().replace("ce_hours: 1\n", "ce_hours: 0.5\n"))
    result = runner.invoke(args=["courses", "check", "demo-lesson"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


@ONLY_SQLITE
def test_the_margin_is_a_setting(app_with):
    result = app_with(CREDIT_MARGIN=500).test_cli_runner().invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "demo-lesson/course.yaml" not in result.output  # +104% is within 500%
    # 30 minutes declared for an estimated 3 is not.
    assert (
        "demo-modules/course.yaml:13: warning: ce_hours 0.5 h is 835% more than the estimated "
        "3 min, and CE hours may be at most 500% above the estimate"
    ) in result.output


@ONLY_SQLITE
def test_the_shipped_courses_pass_the_check_without_a_credit_warning(runner):
    result = runner.invoke(args=["courses", "check", "--dir", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    assert "CEENGINE_CREDIT_MARGIN" not in result.output


def test_sync_stores_how_long_each_audio_file_plays_and_the_lesson_words(runner):
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    content = db.session.scalar(
        sa.select(CourseVersion.content)
        .join(Course, Course.current_version_id == CourseVersion.id)
        .where(Course.slug == "demo-lesson")
    )
    assert content["audio_seconds"] == {"breathing.ogg": pytest.approx(3.99, abs=0.01)}
    estimate = runner.invoke(args=["courses", "credit-estimate", "demo-lesson"]).output
    assert f"  Lesson words                 {content['lesson_words']}\n" in estimate
    assert content["lesson_words"] == 39


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CEENGINE_READING_WPM", "fast"),
        ("CEENGINE_READING_WPM", "0"),
        ("CEENGINE_CREDIT_MARGIN", "-5"),
        ("CEENGINE_CREDIT_MARGIN", "12.5"),
        ("CEENGINE_CREDIT_MARGIN", "²"),
    ],
)
def test_a_setting_that_is_not_a_whole_number_in_range_is_refused_in_words(
    monkeypatch, tmp_path, name, value
):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=f"{name} must be a whole number from"):
        Config(tmp_path)


def test_the_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CEENGINE_READING_WPM", "180")
    monkeypatch.setenv("CEENGINE_CREDIT_MARGIN", "10")
    config = Config(tmp_path)
    assert (config.READING_WPM, config.CREDIT_MARGIN) == (180, 10)
    monkeypatch.delenv("CEENGINE_READING_WPM")
    monkeypatch.delenv("CEENGINE_CREDIT_MARGIN")
    assert (Config(tmp_path).READING_WPM, Config(tmp_path).CREDIT_MARGIN) == (200, 25)
