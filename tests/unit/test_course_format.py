"""The course format: what loads, and how each kind of mistake is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceengine.courses.format import content_hash, read_courses
from ceengine.courses.markup import section_address
from tests.support.course_files import problems_of

FIXTURES = Path(__file__).parent.parent / "fixtures" / "courses"


@pytest.fixture
def courses(tmp_path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(FIXTURES, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_courses_load_with_every_resource(courses):
    specs, problems = read_courses(courses)
    assert [s.slug for s in specs] == ["demo-lesson", "demo-modules"]
    assert problems.errors == []
    lesson = specs[0].content["modules"][0]
    kinds = [b["kind"] for b in lesson["blocks"]]
    for kind in ("html", "video", "audio", "reading", "handout", "exercise"):
        assert kind in kinds
    assert [s["id"] for s in lesson["sections"]] == [
        "three-parts-of-self-compassion",
        "practising-every-day",
    ]
    video = next(b for b in lesson["blocks"] if b["kind"] == "video")
    assert video["embed_url"] == "https://www.youtube-nocookie.com/embed/abcdefghijk"
    assert video["duration"]["seconds"] == 13 * 60 + 5


def test_raw_html_and_scripts_are_removed_at_load(courses):
    specs, _ = read_courses(courses)
    html = specs[0].content["modules"][0]["blocks"][0]["html"]
    assert "<script" not in html and "alert" not in html
    assert 'rel="noopener noreferrer"' in html
    assert '<h2 id="three-parts-of-self-compassion">' in html


def test_modules_are_ordered_and_items_know_their_module(courses):
    specs, _ = read_courses(courses)
    modules = specs[1]
    assert [m["slug"] for m in modules.content["modules"]] == [
        "getting-started",
        "settling-the-mind",
        "acting-with-compassion",
    ]
    assert [i["module"] for i in modules.items] == [
        "getting-started",
        "settling-the-mind",
        "acting-with-compassion",
    ]
    assert modules.content["certificate"] == {
        "fee_cents": 1500,
        "currency": "usd",
        "license_details": "required",
    }
    assert modules.content["quiz_policy"]["max_attempts"] == 2
    assert modules.content["quiz_policy"]["minimum_minutes"] == 0


@pytest.mark.parametrize(
    "title, address",
    [
        ("Why Self-Compassion Matters", "why-self-compassion-matters"),
        ("  The 6 Steps: Week by Week!  ", "the-6-steps-week-by-week"),
        ("Ça va? Café", "a-va-caf"),
    ],
)
def test_section_address(title, address):
    assert section_address(title) == address


MISTAKES = [
    (
        "course.yaml",
        "level: introductory",
        "level: introductory\ncolour: blue",
        "courses/demo-lesson/course.yaml:14: course.yaml: unknown key 'colour'",
    ),
    (
        "quiz.yaml",
        "    answer: false\n",
        "",
        "courses/demo-lesson/quiz.yaml:7: item 'only-formal': 'answer' is required",
    ),
    (
        "quiz.yaml",
        "section: practising-every-day",
        "section: practicing-daily",
        "courses/demo-lesson/quiz.yaml:11: item 'only-formal': section 'practicing-daily' is not a '## ' heading",
    ),
    (
        "lesson.md",
        "provider: youtube",
        "provider: dailymotion",
        "courses/demo-lesson/lesson.md:9: video: 'provider' must be one of youtube, vimeo, not 'dailymotion'",
    ),
    (
        "lesson.md",
        "file: worksheet.txt",
        "file: missing.txt",
        "courses/demo-lesson/lesson.md:36: handout: media file 'missing.txt' does not exist",
    ),
    (
        "quiz.yaml",
        "    answer: Common humanity",
        "    answer: Kindness",
        "courses/demo-lesson/quiz.yaml:19: item 'parts-choice': 'answer' must be the text of one of the options",
    ),
    (
        "quiz.yaml",
        "id: letter",
        "id: breath",
        "courses/demo-lesson/quiz.yaml:27: item id 'breath' is used twice",
    ),
    (
        "course.yaml",
        "ce_hours: 1",
        "ce_hours: -2",
        "courses/demo-lesson/course.yaml:12: course.yaml: 'ce_hours' must be from 0.25 to 100, not -2",
    ),
    (
        "course.yaml",
        "pass_threshold: 75",
        "pass_threshold: 75\n  minimum_minutes: 45.5",
        "courses/demo-lesson/course.yaml:17: quiz: 'minimum_minutes' must be a whole number of minutes",
    ),
    (
        "course.yaml",
        "pass_threshold: 75",
        "pass_threshold: 75\n  minimum_minutes: an hour",
        "courses/demo-lesson/course.yaml:17: quiz: 'minimum_minutes' must be a number, not 'an hour'",
    ),
    (
        "course.yaml",
        "pass_threshold: 75",
        "pass_threshold: 75\n  minimum_minutes: -5",
        "courses/demo-lesson/course.yaml:17: quiz: 'minimum_minutes' must be from 0 to 525600, not -5",
    ),
    (
        "lesson.md",
        'duration: "13:05"',
        "duration: 13 minutes",
        "courses/demo-lesson/lesson.md:12: video: 'duration' must be written like",
    ),
    (
        "lesson.md",
        "url: https://doi.org",
        "url: http://doi.org",
        "courses/demo-lesson/lesson.md:32: reading: 'url' must be a full https:// address",
    ),
    (
        "lesson.md",
        "## Practising Every Day",
        "# Practising Every Day",
        "courses/demo-lesson/lesson.md:16: '# Practising Every Day': use '## ' for sections",
    ),
    (
        "course.yaml",
        "title: Demo Lesson on Kindness",
        "title: Demo\ntitle: Twice",
        "courses/demo-lesson/course.yaml:2: key 'title' appears twice",
    ),
    (
        "quiz.yaml",
        "  - id: breath",
        "  - id: [breath",
        "courses/demo-lesson/quiz.yaml:22: a value that starts with [ is read as a list",
    ),
    (
        "course.yaml",
        "presenters:\n",
        "presenters:\n  - name: No Credentials\n    bio: x\n",
        "courses/demo-lesson/course.yaml:6: presenter: 'credentials' is required",
    ),
]


@pytest.mark.parametrize(
    "filename, old, new, expected", MISTAKES, ids=[m[3].split(": ", 1)[-1][:40] for m in MISTAKES]
)
def test_each_mistake_names_file_line_and_reason(courses, filename, old, new, expected):
    edit(courses / "demo-lesson" / filename, old, new)
    reported = problems_of(courses)
    assert any(p.startswith(expected) for p in reported), reported


def test_every_mistake_is_reported_at_once(courses):
    edit(courses / "demo-lesson" / "course.yaml", "level: introductory", "level: expert")
    edit(courses / "demo-modules" / "quiz.yaml", "answer: true", "answer: maybe")
    reported = problems_of(courses)
    assert len(reported) == 2
    assert "level' must be one of introductory, intermediate, advanced" in reported[0]
    assert "answer must be true or false; you wrote maybe" in reported[1]


def test_a_course_needs_a_lesson_or_modules_but_not_both(courses):
    (courses / "demo-lesson" / "modules").mkdir()
    assert any("either lesson.md or modules/, not both" in p for p in problems_of(courses))


def test_a_module_must_start_with_its_title(courses):
    path = courses / "demo-modules" / "modules" / "02-settling-the-mind.md"
    edit(path, "# Settling the Mind\n", "Settling the mind\n")
    assert any(
        p.startswith(
            "courses/demo-modules/modules/02-settling-the-mind.md:1: a module file "
            "must start with its title"
        )
        for p in problems_of(courses)
    )


def test_section_addresses_must_be_unique_across_modules(courses):
    path = courses / "demo-modules" / "modules" / "03-acting-with-compassion.md"
    edit(path, "## Taking Action", "## Focusing attention")
    assert any("already used by another heading" in p for p in problems_of(courses))


def test_resource_block_yaml_error_points_at_the_markdown_line(courses):
    edit(courses / "demo-lesson" / "lesson.md", "title: A talk about kindness", "title: [A talk")
    assert any(
        p.startswith(
            "courses/demo-lesson/lesson.md:11: video: a value that starts with [ is read as"
        )
        for p in problems_of(courses)
    )


def test_accreditor_guidance_warns_without_failing(courses):
    edit(courses / "demo-lesson" / "course.yaml", "ce_hours: 1", "ce_hours: 2")
    edit(courses / "demo-lesson" / "course.yaml", "pass_threshold: 75", "pass_threshold: 70")
    specs, problems = read_courses(courses)
    assert len(specs) == 2
    messages = [str(w) for w in problems.warnings]
    assert any(
        "6 items for 2 CE hours: APA recommends 6-8 items per CE hour" in m for m in messages
    )
    assert any(
        "pass threshold 70% is under APA's recommended minimum of 75%" in m for m in messages
    )


def test_content_hash_changes_with_any_file(courses):
    before = content_hash(courses / "demo-lesson")
    assert content_hash(courses / "demo-lesson") == before
    (courses / "demo-lesson" / "media" / "worksheet.txt").write_text("changed")
    assert content_hash(courses / "demo-lesson") != before


def test_the_project_courses_pass_the_checker():
    specs, problems = read_courses(Path(__file__).parent.parent.parent / "courses")
    assert len(specs) == 4
    assert problems.errors == []
    for spec in specs:
        hours = float(spec.content["ce_hours"])
        assert 6 * hours <= len(spec.items) <= 8 * hours, spec.slug
        assert spec.content["quiz_policy"]["pass_threshold"] >= 75
