"""Issue 19's "done when": a course started with `ceengine courses new`, broken in each way an
author breaks one, and checked — every message names the file and line, says what is wrong
in plain words, and where it shows the line corrected, that line is valid YAML and puts the
course right. The preview (over HTTP here; in Chromium in tests/browser/test_preview_browser.py)
shows the same problems, the newest ones even to a browser with no cookie.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from ceengine import create_app
from ceengine.courses.format import read_courses
from ceengine.courses.yamlfile import load_yaml
from ceengine.extensions import db
from ceengine.preview import create_preview_app
from tests.support.app import PROJECT_COURSES, FreshRequestClient, app_settings
from tests.support.html import text_of

SLUG = "my-course"
LAYOUTS = ["single-page", "modules"]
SUMMARY = "summary: One sentence that tells a clinician what the course gives them."
COMMENT = "   # at most 200 characters"
STATEMENT = "    statement: Replace this with a statement the lesson shows to be true."
ANSWER = "    answer: true                # true | false"
SECTION = '    section: the-core-idea      # the address of a "## " heading in the lesson'
OPTION = "      - Skip the practice"


@dataclass
class Course:
    """A course folder just written by `courses new`, and the command line that made it."""

    courses: Path
    layout: str
    runner: object

    @property
    def folder(self) -> Path:
        return self.courses / SLUG

    def lesson(self, holding: str) -> Path:
        """The lesson file (or module file) that holds `holding`."""
        files = [self.folder / "lesson.md"] + sorted((self.folder / "modules").glob("*.md"))
        return next(p for p in files if p.is_file() and holding in p.read_text())

    def check(self, *args: str):
        return self.runner.invoke(args=["courses", "check", *args, "--dir", str(self.courses)])


def new_course(courses: Path, layout: str, slug: str = SLUG, title: str = "My Course"):
    runner = create_app({**app_settings(), "COURSES_DIR": str(courses)}).test_cli_runner()
    made = runner.invoke(
        args=["courses", "new", slug, "--title", title, "--presenter", "Jane Doe"]
        + ["--credentials", "PhD", "--layout", layout, "--dir", str(courses)],
        input="\n",  # the CE hours the starter's text justifies
    )
    assert made.exit_code == 0, made.output
    return runner


@pytest.fixture(params=LAYOUTS)
def course(request, tmp_path) -> Course:
    courses = tmp_path / "courses"
    courses.mkdir()
    shutil.copy(PROJECT_COURSES / "sponsor.yaml", courses)
    runner = new_course(courses, request.param)
    made = Course(courses, request.param, runner)
    checked = made.check(SLUG)
    assert checked.exit_code == 0 and "warning" not in checked.output, checked.output
    return made


def line_starting(path: Path, start: str) -> str:
    """The first whole line of `path` that starts with `start`."""
    return next(line for line in path.read_text().split("\n") if line.startswith(start))


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the whole line `old` by `new` (several lines, or none); its 1-based number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index(old)
    lines[number : number + 1] = new.split("\n") if new else []
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def message_at(output: str, place: str) -> str:
    """The message printed at `place` (`courses/...:LINE: `), with its example lines."""
    start = output.index(place)
    lines = output[start:].split("\n")
    example = itertools.takewhile(lambda line: line.startswith("    "), lines[1:])
    return "\n".join([lines[0], *example])


def example_of(message: str) -> list[str]:
    """The corrected lines a message shows under "Write it like this:" (dedented)."""
    if "Write it like this:\n" not in message:
        return []
    block = message.split("Write it like this:\n", 1)[1]
    return textwrap.dedent(block).split("\n")


def assert_mistake(result, path: str, line: int, *words: str) -> str:
    """`courses check` refused the course, naming path:line with `words`; any example shown
    is valid YAML. The message."""
    assert result.exit_code == 1, result.output
    assert "nothing was loaded" in result.output
    place = f"courses/{SLUG}/{path}:{line}: "
    assert place in result.output, result.output
    message = message_at(result.output, place)
    for word in words:
        assert word in message, message
    assert "None" not in result.output and "PyYAML" not in result.output
    assert "expected <block end>" not in result.output, result.output
    example = example_of(message)
    if example and not example[0].startswith("#"):
        load_yaml("\n".join(example))  # raises if the corrected lines are not YAML
    return message


# --- YAML mistakes: each message, its line, and the corrected line that puts it right ----


@dataclass(frozen=True)
class Break:
    """One way to break a new course: the line `old` in `file` becomes `new`; the check names
    that line with `words`; `fixed` is the corrected line the message shows, which — written
    in place of `new` — makes the course pass again."""

    name: str
    file: str
    old: str
    new: str
    words: tuple[str, ...]
    fixed: str


BREAKS = [
    Break(
        "a tab",
        "quiz.yaml",
        ANSWER,
        "\tanswer: true                # true | false",
        ("a tab character at the start of the line", "indents with spaces only, never tabs"),
        ANSWER,
    ),
    Break(
        "a colon in a statement",
        "quiz.yaml",
        STATEMENT,
        "    statement: Note: replace this with a statement the lesson shows to be true.",
        ("a colon inside text", "'Note:'", "the text of 'statement' needs quotes"),
        '    statement: "Note: replace this with a statement the lesson shows to be true."',
    ),
    Break(
        "a colon in a line with a trailing comment",
        "course.yaml",
        SUMMARY + COMMENT,
        "summary: Two ideas: one sentence that tells a clinician what the course gives them."
        + COMMENT,
        ("a colon inside text", "'ideas:'", "the text of 'summary' needs quotes"),
        'summary: "Two ideas: one sentence that tells a clinician what the course gives them."'
        + COMMENT,
    ),
    Break(
        "an indent too little",
        "quiz.yaml",
        ANSWER,
        "  answer: true                # true | false",
        ("a wrong indent", "indented 2 spaces, less than", "(4 spaces)"),
        ANSWER,
    ),
    Break(
        "an indent too far",
        "quiz.yaml",
        ANSWER,
        "      answer: true                # true | false",
        ("a wrong indent", "'answer:' is indented 6 spaces, further than", "(4 spaces here)"),
        ANSWER,
    ),
    Break(
        "a list entry too far",
        "quiz.yaml",
        "  - id: guided-practice-focus",
        "    - id: guided-practice-focus",
        ("a wrong indent", "'- id: guided-practice-focus' is indented 4 spaces, further"),
        "  - id: guided-practice-focus",
    ),
    Break(
        "an objective too far",
        "course.yaml",
        "  - Practise a short guided exercise and note what it changes.",
        "    - Practise a short guided exercise and note what it changes.",
        ("a wrong indent", "indented 4 spaces, further than the entry above it", "(2 spaces)"),
        "  - Practise a short guided exercise and note what it changes.",
    ),
    Break(
        "an option too far",
        "quiz.yaml",
        OPTION,
        "        - Skip the practice",
        ("a wrong indent", "'- Skip the practice' is indented 8 spaces", "(6 spaces)"),
        OPTION,
    ),
    Break(
        "an option without a space after its dash",
        "quiz.yaml",
        OPTION,
        "      -Skip the practice",
        ("a list entry needs a space after its '-'", "'-Skip the practice'"),
        OPTION,
    ),
    Break(
        "an unclosed quote",
        "quiz.yaml",
        "    statement: Which of these does the guided practice ask you to do?",
        '    statement: "Which of these does the guided practice ask you to do?',
        ("a quote that is never closed", 'starts with " on this line'),
        '    statement: "Which of these does the guided practice ask you to do?"',
    ),
    Break(
        "an unclosed quote before a comment",
        "course.yaml",
        SUMMARY + COMMENT,
        SUMMARY.replace(": ", ': "', 1) + COMMENT,
        ("a quote that is never closed",),
        SUMMARY.replace(": ", ': "', 1) + '"' + COMMENT,
    ),
    Break(
        "an unclosed quote a later quote closes",  # the comment on `section:` holds "## "
        "quiz.yaml",
        STATEMENT,
        STATEMENT.replace(": ", ': "', 1),
        ("a quote that is never closed", 'must end with " on the same line'),
        STATEMENT.replace(": ", ': "', 1) + '"',
    ),
    Break(
        "a number where text is expected",
        "course.yaml",
        "  - Practise a short guided exercise and note what it changes.",
        "  - 1.0",
        ("reads as a number, not as text", "put it in quotes"),
        '  - "1.0"',
    ),
    Break(
        "a date where text is expected",
        "course.yaml",
        "  - Practise a short guided exercise and note what it changes.",
        "  - 2024-01-01",
        ("reads as a date, not as text", "put it in quotes"),
        '  - "2024-01-01"',
    ),
]


@pytest.mark.parametrize("broken", BREAKS, ids=[b.name for b in BREAKS])
def test_each_yaml_mistake_is_named_at_its_line_with_a_line_that_puts_it_right(course, broken):
    path = course.folder / broken.file
    line = replace_line(path, broken.old, broken.new)
    message = assert_mistake(course.check(SLUG), broken.file, line, *broken.words)
    assert broken.fixed.strip() in example_of(message), message
    replace_line(path, broken.new, broken.fixed)
    mended = course.check(SLUG)
    assert mended.exit_code == 0, mended.output


@pytest.mark.parametrize("word", ["yes", "no", "on", "y"])
def test_an_answer_that_is_not_true_or_false_says_what_to_write(course, word):
    line = replace_line(
        course.folder / "quiz.yaml", ANSWER, f"    answer: {word}                # true | false"
    )
    assert_mistake(
        course.check(SLUG),
        "quiz.yaml",
        line,
        f"item 'core-idea': answer must be true or false; you wrote {word}.",
        "Write answer: true when the statement is true, answer: false when it is false",
    )


def test_published_off_is_refused_not_read_as_false(course):
    old = line_starting(course.folder / "course.yaml", "published: false")
    line = replace_line(course.folder / "course.yaml", old, old.replace("false", "off  ", 1))
    assert_mistake(
        course.check(SLUG),
        "course.yaml",
        line,
        "published must be true or false; you wrote off. Write published: true or published: false",
    )


def test_no_and_a_statement_about_norway_read_as_text(course):
    quiz = course.folder / "quiz.yaml"
    replace_line(quiz, STATEMENT, "    statement: Norway is a country")
    replace_line(quiz, OPTION, "      - NO")
    checked = course.check(SLUG)
    assert checked.exit_code == 0, checked.output
    (spec,) = read_courses(course.courses, only=SLUG)[0]
    assert spec.items[0]["statement"] == "Norway is a country"
    assert "NO" in spec.items[1]["options"]


def test_a_missing_section_says_so_without_none(course):
    line = replace_line(course.folder / "quiz.yaml", SECTION, "")
    result = course.check(SLUG)
    assert_mistake(result, "quiz.yaml", line - 5, "item 'core-idea': 'section' is required")
    assert "is not a '## ' heading" not in result.output


def test_a_quiz_section_no_heading_has_names_the_closest(course):
    line = replace_line(
        course.folder / "quiz.yaml", SECTION, SECTION.replace("the-core-idea ", "the-core-ideas")
    )
    assert_mistake(
        course.check(SLUG),
        "quiz.yaml",
        line,
        "item 'core-idea': section 'the-core-ideas' is not a '## ' heading in the lesson. Did you "
        "mean section: the-core-idea (the heading '## The Core Idea')?",
    )


# --- Warnings: the course loads, most likely not as meant -------------------------------


def assert_warning(result, path: str, line: int, *words: str) -> str:
    """`courses check` passed and warned at path:line with `words`."""
    assert result.exit_code == 0, result.output
    place = f"courses/{path}:{line}: warning: "
    assert place in result.output, result.output
    message = message_at(result.output, place)
    for word in words:
        assert word in message, message
    return message


def test_two_courses_with_the_same_title_are_named(course):
    new_course(course.courses, course.layout, slug="my-course-copy")
    result = course.check()
    for slug, other in ((SLUG, "my-course-copy"), ("my-course-copy", SLUG)):
        assert_warning(
            result,
            f"{slug}/course.yaml",
            5,
            f"the course {other} has the same title, 'My Course'",
            "e.g. title: My Course (Part 2)",
        )


@pytest.mark.parametrize("course", ["modules"], indirect=True)  # only modules have titles
def test_a_numbered_module_title_is_shown_without_its_number(course):
    module = course.folder / "modules" / "01-the-core-idea.md"
    replace_line(module, "# The Core Idea", "# Module 1: The Core Idea")
    message = assert_warning(
        course.check(SLUG),
        f"{SLUG}/modules/01-the-core-idea.md",
        1,
        "module title 'Module 1: The Core Idea' carries its own number",
    )
    assert example_of(message) == ["# The Core Idea"]


def test_a_resource_block_shown_as_code_is_named(course):
    lesson = course.lesson("```reading\n")
    line = replace_line(lesson, "```reading", "```Reading")
    assert_warning(
        course.check(SLUG),
        f"{SLUG}/{lesson.relative_to(course.folder)}",
        line,
        "this block is shown as code, not as a reading",
        "Write ```reading on this line",
    )


def test_an_unused_media_file_is_named_but_not_one_a_broken_block_names(course):
    (course.folder / "media" / "extra.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert_warning(
        course.check(SLUG),
        f"{SLUG}/media/extra.pdf",
        1,
        "media file 'extra.pdf' is not used: no handout block in the lesson names it",
    )
    # A mistake in the audio block: its recording is still the one it names, not unused; the
    # check prints the warnings after the mistakes.
    lesson = course.lesson("title: A guided practice")
    line = replace_line(lesson, "title: A guided practice", "title: A guided: practice")
    result = course.check(SLUG)
    where = lesson.relative_to(course.folder)
    assert_mistake(result, str(where), line, "audio: a colon inside text")
    assert "guided-practice.wav' is not used" not in result.output
    warning = f"courses/{SLUG}/media/extra.pdf:1: warning: media file 'extra.pdf' is not used"
    assert (
        result.output.index(f"courses/{SLUG}/{where}:{line}:")
        < result.output.index("Warnings (they do not stop loading; fix the mistakes first):")
        < result.output.index(warning)
    )
    assert result.output.rstrip().endswith("1 mistake: nothing was loaded. 1 warning.")


def test_a_lesson_too_short_for_its_ce_hours_is_named_with_the_estimate(course):
    old = line_starting(course.folder / "course.yaml", "ce_hours: 0.5 ")
    line = replace_line(course.folder / "course.yaml", old, old.replace("0.5", "2  ", 1))
    result = course.check(SLUG)
    assert_warning(
        result,
        f"{SLUG}/course.yaml",
        line,
        "ce_hours 2 h is ",
        "and CE hours may be at most 25% above the estimate",
        f"see `ceengine courses credit-estimate {SLUG}`",
        "e.g. ce_hours: 0.5",
    )
    assert_warning(result, f"{SLUG}/quiz.yaml", 1, "3 items for 2 CE hours")
    assert "CEENGINE_CREDIT_MARGIN" not in result.output


# --- The preview shows the same, the newest even to a browser without a cookie ----------


def _save(path: Path, old: str, new: str) -> None:
    """Save a file as an editor does: new text, a later modification time."""
    replace_line(path, old, new)
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


@pytest.fixture
def preview(course, tmp_path):
    database = tmp_path / "preview"
    database.mkdir()
    app = create_preview_app(course.courses, database, overrides=app_settings())
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _problems(page: str) -> str:
    match = re.search(r'<section class="preview-problems".*?</section>', page, re.S)
    return text_of(match.group(0)) if match else ""


def test_a_browser_without_cookies_sees_the_newest_mistake(course, preview):
    fresh = preview.test_client(use_cookies=False)  # a private window, every time
    url = f"/courses/{SLUG}"
    assert _problems(fresh.get(url).get_data(as_text=True)) == ""
    quiz = course.folder / "quiz.yaml"
    _save(quiz, STATEMENT, STATEMENT.replace("Replace this", "Note: replace this"))
    shown = _problems(fresh.get(url).get_data(as_text=True))
    assert f"courses/{SLUG}/quiz.yaml:8: a colon inside text: 'Note:'" in shown
    # Another mistake in the same broken file: the course still shows its last good version,
    # and the box shows the new mistake, not the one before.
    _save(quiz, STATEMENT.replace("Replace this", "Note: replace this"), STATEMENT)
    _save(quiz, ANSWER, "\tanswer: true                # true | false")
    shown = _problems(fresh.get(url).get_data(as_text=True))
    assert f"courses/{SLUG}/quiz.yaml:9: a tab character" in shown
    assert "a colon inside text" not in shown


def test_the_preview_lists_mistakes_before_warnings(course, preview):
    (course.folder / "media" / "extra.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")  # media/ < quiz
    _save(course.folder / "quiz.yaml", ANSWER, "    answer: yes")
    shown = _problems(preview.test_client().get(f"/courses/{SLUG}").get_data(as_text=True))
    mistake = shown.index(f"courses/{SLUG}/quiz.yaml:9: item 'core-idea': answer must be")
    assert mistake < shown.index(f"courses/{SLUG}/media/extra.pdf:1: warning:")
