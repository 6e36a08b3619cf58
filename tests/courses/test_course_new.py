"""`ceengine courses new SLUG`: a course to start from, as an author starts one."""

from __future__ import annotations

import pytest
import yaml

from ceengine import create_app
from ceengine.courses.format import read_courses
from ceengine.courses.items import ITEM_TYPES
from ceengine.courses.resources import RESOURCE_TYPES
from tests.support.app import app_settings
from tests.support.html import text_of

OPTIONS = [
    "--title",
    "Mindful Care: A First Course",
    "--presenter",
    "Jane Doe",
    "--credentials",
    "PhD, LCSW",
    "--ce-hours",
    "1.5",
]


@pytest.fixture
def author(courses_dir):
    """`ceengine` as a course author runs it on the courses folder (no database needed)."""
    return create_app({**app_settings(), "COURSES_DIR": str(courses_dir)}).test_cli_runner()


@pytest.mark.parametrize("layout", ["single-page", "modules"])
def test_a_new_course_passes_check_as_written(author, courses_dir, layout):
    made = author.invoke(args=["courses", "new", "mindful-care", *OPTIONS, "--layout", layout])
    assert made.exit_code == 0, made.output
    assert "Wrote" in made.output and "(unpublished)" in made.output
    assert "ceengine courses preview mindful-care" in made.output
    checked = author.invoke(args=["courses", "check", "mindful-care"])
    assert checked.exit_code == 0, checked.output
    assert "1 course checked, no mistakes." in checked.output
    shape = "single page" if layout == "single-page" else "2 modules"
    assert f"ok  mindful-care: {shape}, 1.5 CE hours" in checked.output
    # Everything else in the folder still checks too.
    assert author.invoke(args=["courses", "check"]).exit_code == 0


@pytest.mark.parametrize("layout", ["single-page", "modules"])
def test_a_new_course_at_its_default_hours_passes_check_with_no_warning(
    author, courses_dir, layout
):
    options = OPTIONS[: OPTIONS.index("--ce-hours")]
    made = author.invoke(
        args=["courses", "new", "mindful-care", *options, "--layout", layout], input="\n"
    )
    assert made.exit_code == 0, made.output
    assert "CE hours [0.5]" in made.output
    assert "warns" not in made.output
    checked = author.invoke(args=["courses", "check", "mindful-care"])
    assert checked.exit_code == 0, checked.output
    assert "warning" not in checked.output.lower(), checked.output  # nor the time zone's
    assert "ok  mindful-care: " in checked.output and "0.5 CE hours, 3 quiz items" in (
        checked.output
    )


def test_more_hours_than_the_starter_justifies_are_said_when_it_is_written(author, courses_dir):
    made = author.invoke(args=["courses", "new", "mindful-care", *OPTIONS], input="\n")
    assert made.exit_code == 0, made.output
    assert (
        "The starter's lesson and quiz justify about 0.5 CE hours, so until you add to them "
        "`courses check` warns:\n"
    ) in made.output
    assert "warning: 3 items for 1.5 CE hours" in made.output
    assert "warning: ce_hours 1.5 h is " in made.output
    assert "CEENGINE_CREDIT_MARGIN" not in made.output


@pytest.mark.parametrize("layout", ["single-page", "modules"])
def test_every_resource_and_item_type_has_a_commented_example(author, courses_dir, layout):
    author.invoke(args=["courses", "new", "mindful-care", *OPTIONS, "--layout", layout])
    (spec,) = read_courses(courses_dir, only="mindful-care")[0]
    blocks = [b["kind"] for m in spec.content["modules"] for b in m["blocks"]]
    assert set(RESOURCE_TYPES) <= set(blocks)
    assert {item["kind"] for item in spec.items} == set(ITEM_TYPES)
    assert spec.content["title"] == "Mindful Care: A First Course"
    assert spec.content["presenters"][0]["name"] == "Jane Doe"
    assert spec.content["presenters"][0]["credentials"] == "PhD, LCSW"
    assert spec.published is False  # never goes live by accident
    folder = courses_dir / "mindful-care"
    lessons = [folder / "lesson.md"] if layout == "single-page" else list(folder.glob("modules/*"))
    lesson = "".join(path.read_text() for path in lessons)
    for kind in RESOURCE_TYPES:
        assert f"```{kind}\n# " in lesson  # each example starts by saying what it is
    quiz = (folder / "quiz.yaml").read_text()
    assert "# A true/false item" in quiz and "# A multiple-choice item" in quiz
    assert "published: false" in (folder / "course.yaml").read_text()
    # The comments are for the author only: none reaches the page.
    page = "".join(b.get("html", "") for m in spec.content["modules"] for b in m["blocks"])
    assert "<!--" not in page and "Learners see everything" not in text_of(page)


def test_it_asks_for_what_the_options_do_not_give(author, courses_dir):
    answers = "Care: Part 1\nSam O'Neil\nRN\nabout two\n0.3\n2\nmodules\n"
    made = author.invoke(args=["courses", "new", "care-part-one"], input=answers)
    assert made.exit_code == 0, made.output
    for prompt in (
        "Course title",
        "Presenter's name",
        "Presenter's credentials",
        "CE hours [0.5]",
        "Single page or modules",
    ):
        assert prompt in made.output
    # A wrong answer is explained and asked again.
    assert "CE hours must be a number such as 1 or 1.5, not 'about two'" in made.output
    assert "CE hours must be from 0.25 to 100 in steps of 0.25" in made.output
    meta = yaml.safe_load((courses_dir / "care-part-one" / "course.yaml").read_text())
    assert meta["title"] == "Care: Part 1"  # quoted where YAML needs it
    assert meta["presenters"][0]["name"] == "Sam O'Neil"
    assert meta["ce_hours"] == 2
    assert (courses_dir / "care-part-one" / "modules").is_dir()
    assert author.invoke(args=["courses", "check", "care-part-one"]).exit_code == 0


def test_a_taken_folder_is_refused_and_left_alone(author, courses_dir):
    before = (courses_dir / "demo-lesson" / "course.yaml").read_text()
    made = author.invoke(args=["courses", "new", "demo-lesson"], input="Title\n")
    assert made.exit_code == 2
    assert "demo-lesson already exists: choose another slug" in made.output
    assert "Course title" not in made.output  # refused before any question
    assert (courses_dir / "demo-lesson" / "course.yaml").read_text() == before


@pytest.mark.parametrize("slug", ["Mindful_Care", "mindful care", "care-", "care--two", "café"])
def test_a_bad_slug_is_refused_before_any_question(author, courses_dir, slug):
    made = author.invoke(args=["courses", "new", slug], input="Title\n")
    assert made.exit_code == 2
    assert "cannot be a course's folder name: use lowercase letters, digits and" in made.output
    assert "Course title" not in made.output
    assert not (courses_dir / slug).exists()


def test_a_new_course_is_not_published_by_sync(app, client, courses_dir):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["courses", "new", "mindful-care", *OPTIONS, "--layout", "modules"])
    assert made.exit_code == 0, made.output
    synced = runner.invoke(args=["courses", "sync"])
    assert "mindful-care: added (version 1)" in synced.output
    assert client.get("/courses/mindful-care").status_code == 404
    assert "Mindful Care" not in text_of(client.get("/"))
