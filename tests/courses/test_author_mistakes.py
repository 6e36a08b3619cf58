"""The mistakes a course author makes, as `ceengine courses check` explains them: a shipped
course is copied, broken the way a clinician editing it would break it, and checked for real.

Each message names the file and line, says what is wrong in plain words, and shows the line
as it should be written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceengine.courses.format import read_courses
from ceengine.courses.services import check_library
from ceengine.extensions import db
from ceengine.preview import create_preview_app
from tests.support.app import PROJECT_COURSES, FreshRequestClient, app_settings

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database
SINGLE_PAGE = "self-compassion-for-clinicians"
MODULES = "cognitively-based-compassion-training"
QUIZ = f"courses/{SINGLE_PAGE}/quiz.yaml"
STATEMENT = (
    "    statement: \"Neff's Self-Compassion Scale has 26 items grouped into six subscales, "
    "covering both the positive and the negative pole of each of the three components of "
    'self-compassion."'
)


@pytest.fixture
def library(tmp_path) -> Path:
    """A `courses` folder holding copies of two shipped courses and the sponsor file."""
    target = tmp_path / "author" / "courses"  # beside the app's own fixture courses
    target.mkdir(parents=True)
    shutil.copy(PROJECT_COURSES / "sponsor.yaml", target)
    for slug in (SINGLE_PAGE, MODULES):
        shutil.copytree(PROJECT_COURSES / slug, target / slug)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; the line where the change starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def edit_line(path: Path, start: str, new: str, after: str = "") -> int:
    """Replace the first whole line starting with `start` (after the text `after`) by `new`;
    its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    first = path.read_text(encoding="utf-8").index(after) if after else 0
    offset = path.read_text(encoding="utf-8")[:first].count("\n")
    number = next(n for n in range(offset, len(lines)) if lines[n].startswith(start))
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def check(runner, library: Path, *args: str):
    """`ceengine courses check` on the library, as an author runs it."""
    return runner.invoke(args=["courses", "check", *args, "--dir", str(library)])


def failed_with(result, message: str) -> None:
    """The check refused the course and printed `message` (file:line: words and example)."""
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "nothing was loaded" in result.output


# --- 3. YAML in plain words ----------------------------------------------------------------


@ONLY_SQLITE
def test_a_tab_is_explained_with_the_line_indented_with_spaces(runner, library):
    line = edit(library / SINGLE_PAGE / "quiz.yaml", "    answer: true\n", "\tanswer: true\n")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: a tab character at the start of the line: YAML indents with spaces "
        "only, never tabs. Replace the tab with spaces that line the text up with the lines it "
        "belongs with (set your editor to type spaces for the Tab key). Write it like this:\n"
        f"    {STATEMENT.strip()}\n"
        "    answer: true\n",
    )


@ONLY_SQLITE
def test_a_colon_inside_text_is_explained_with_the_text_in_quotes(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    explanation = "The scale has 26 items in six subscales: self-kindness and five more."
    line = edit_line(quiz, "    explanation: ", f"    explanation: {explanation}")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: a colon inside text: 'subscales:' followed by a space starts a new key "
        "in YAML, so the text of 'explanation' needs quotes around it. Write it like this:\n"
        f'    explanation: "{explanation}"\n',
    )


@ONLY_SQLITE
def test_a_colon_inside_a_module_title_in_course_yaml_is_explained(runner, library):
    course = library / MODULES / "course.yaml"
    edit_line(course, "title: ", "title: CBCT: Cognitively-Based Compassion Training")
    failed_with(
        check(runner, library),
        f"courses/{MODULES}/course.yaml:1: a colon inside text: 'CBCT:' followed by a space "
        "starts a new key in YAML, so the text of 'title' needs quotes around it. "
        'Write it like this:\n    title: "CBCT: Cognitively-Based Compassion Training"\n',
    )


@ONLY_SQLITE
def test_a_list_entry_with_a_colon_is_explained_with_the_entry_in_quotes(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "  - Compare an informal", "  - Step 1: Compare an informal")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line}: course.yaml: this entry of 'objectives' "
        "has a colon followed by a space, so YAML reads it as a key and a value, not as text; "
        'put the whole entry in quotes. Write it like this:\n    - "Step 1: Compare an informal',
    )


@ONLY_SQLITE
@pytest.mark.parametrize(("spaces", "side"), [(5, "further"), (3, "less")])
def test_a_wrong_indent_is_explained_with_the_lines_lined_up(runner, library, spaces, side):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, "    answer: true\n", " " * spaces + "answer: true\n")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: a wrong indent: this line is indented {spaces} spaces, {side} than "
        "the lines it belongs with (4 spaces). In YAML, lines of the same list or mapping line "
        f"up exactly. Write it like this:\n    {STATEMENT.strip()}\n    answer: true\n",
    )


@ONLY_SQLITE
def test_a_key_indented_under_text_is_explained(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "level: introductory\n", "level: introductory\n  audience: everyone\n")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line + 1}: a wrong indent: 'audience:' is indented "
        "2 spaces, further than the line above it, so YAML reads it as more text of that line. "
        "Keys of the same mapping line up exactly (0 spaces here). Write it like this:\n"
        "    level: introductory\n    audience: everyone\n",
    )


@ONLY_SQLITE
def test_a_key_indented_too_little_is_blamed_not_the_line_after_it(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, "    answer: true\n", "answer: true\n")
    explanation = quiz.read_text().splitlines()[line].strip()
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: a wrong indent: 'answer:' is indented 0 spaces, less than the lines "
        "around it (4 spaces), so YAML cannot read the line after it. Keys of the same mapping "
        f"line up exactly. Write it like this:\n    {STATEMENT.strip()}\n    answer: true\n"
        f"    {explanation}\n",
    )


@ONLY_SQLITE
def test_the_last_key_of_a_section_indented_too_little_is_named_with_its_section(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "  feedback: after_pass\n", "feedback: after_pass\n")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line}: course.yaml: 'feedback' belongs inside "
        "'quiz:', not at this level: it is indented too little (a wrong indent). Line it up "
        "with the keys above it that are inside 'quiz:'",
    )


@ONLY_SQLITE
def test_an_unclosed_quote_is_explained_at_the_line_it_opens(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, 'components of self-compassion."\n', "components of self-compassion.\n")
    failed_with(
        check(runner, library),
        f'{QUIZ}:{line}: a quote that is never closed: the text that starts with " on this '
        'line must end with " on the same line, or YAML reads everything after it as part of '
        f"the text. Write it like this:\n    {STATEMENT.strip()}\n",
    )


@ONLY_SQLITE
def test_an_apostrophe_in_single_quotes_is_explained(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, STATEMENT, "    statement: 'Neff's scale has six subscales.'")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: an apostrophe inside text in single quotes ends the text early. Put "
        "text with an apostrophe in double quotes. Write it like this:\n"
        '    statement: "Neff\'s scale has six subscales."\n',
    )


@ONLY_SQLITE
def test_markdown_emphasis_at_the_start_of_a_value_is_explained(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "  - Compare an informal", "  - *Compare* an informal")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line}: text that starts with * (as in Markdown's "
        "*italics* or **bold**), which YAML reads as a reference, must be in quotes. Write it "
        'like this:\n    - "*Compare* an informal',
    )


@ONLY_SQLITE
def test_a_yaml_mistake_in_a_resource_block_points_at_the_lesson_line(runner, library):
    lesson = library / SINGLE_PAGE / "lesson.md"
    line = edit_line(lesson, "title: ", "title: Self-compassion: the talk", after="```video")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/lesson.md:{line}: video: a colon inside text: "
        "'Self-compassion:' followed by a space starts a new key in YAML, so the text of "
        "'title' needs quotes around it. Write it like this:\n"
        '    title: "Self-compassion: the talk"\n',
    )


# --- 4. No silent guesses ------------------------------------------------------------------


@ONLY_SQLITE
@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "NO", "Yes"])
def test_an_answer_that_is_not_true_or_false_is_refused_saying_what_was_written(
    runner, library, word
):
    line = edit(library / SINGLE_PAGE / "quiz.yaml", "    answer: true\n", f"    answer: {word}\n")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: item 'scs-structure': answer must be true or false; you wrote {word}. "
        "Write answer: true when the statement is true, answer: false when it is false",
    )


@ONLY_SQLITE
def test_a_setting_written_yes_is_refused_not_read_as_true(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "published: true", "published: yes")
    failed_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line}: course.yaml: published must be true or "
        "false; you wrote yes. Write published: true or published: false",
    )


def test_yes_no_and_country_codes_stay_text_everywhere(library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    edit(
        quiz,
        "    type: true_false\n" + STATEMENT + "\n    answer: true\n",
        "    type: multiple_choice\n    statement: Norway is a country\n"
        "    options:\n      - Yes\n      - NO\n      - on\n    answer: NO\n",
    )
    course = library / SINGLE_PAGE / "course.yaml"
    edit_line(course, "audience: ", "audience: NO")
    edit_line(course, "format: ", "format: off")
    specs, _ = read_courses(library, only=SINGLE_PAGE)
    item = specs[0].items[0]
    assert (item["statement"], item["options"], item["answer"]) == (
        "Norway is a country",
        ["Yes", "NO", "on"],
        "NO",
    )
    assert (specs[0].content["audience"], specs[0].content["format"]) == ("NO", "off")


def test_a_quoted_true_is_true_and_a_duration_needs_no_quotes(library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    edit(quiz, "    answer: true\n", '    answer: "true"\n')
    lesson = library / SINGLE_PAGE / "lesson.md"
    edit_line(lesson, "duration: ", "duration: 13:05", after="```video")
    specs, problems = read_courses(library, only=SINGLE_PAGE)
    assert specs[0].items[0]["answer"] == "True"
    assert not problems.errors


@ONLY_SQLITE
def test_text_cut_short_by_a_hash_is_warned_at_not_silently_dropped(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit_line(
        quiz, "    statement: A common source", "    statement: The #1 source of resistance."
    )
    warned_with(
        check(runner, library),
        f"{QUIZ}:{line}: warning: ' #' starts a comment, so 'The #1 source of resistance.' "
        "reads as 'The' and the rest is left out. If the # belongs to the text, put the whole "
        'text in quotes: "The #1 source of resistance."',
    )


@ONLY_SQLITE
def test_a_multiple_choice_answer_in_other_letters_is_named_with_the_option_meant(runner, library):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    edit(
        quiz,
        "    type: true_false\n" + STATEMENT + "\n    answer: true\n",
        "    type: multiple_choice\n    statement: Which is a subscale?\n"
        "    options:\n      - Self-kindness\n      - Optimism\n    answer: self kindness\n",
    )
    failed_with(
        check(runner, library),
        f"{QUIZ}:8: item 'scs-structure': 'answer' must be the text of one of the options, "
        "written exactly as the option; you wrote self kindness. Did you mean answer: "
        "Self-kindness?",
    )


# --- 5. Warnings that save a mistake -------------------------------------------------------


def warned_with(result, message: str) -> None:
    """The check passed (advice does not stop a course) and printed the warning."""
    assert result.exit_code == 0, result.output
    assert message in result.output, result.output


@ONLY_SQLITE
def test_two_courses_with_the_same_title_are_named_at_each_title(runner, library):
    shutil.copytree(library / SINGLE_PAGE, library / "self-compassion-part-2")
    result = check(runner, library)
    for slug, other in (
        (SINGLE_PAGE, "self-compassion-part-2"),
        ("self-compassion-part-2", SINGLE_PAGE),
    ):
        warned_with(
            result,
            f"courses/{slug}/course.yaml:1: warning: the course {other} has the same title, "
            "'Self-Compassion for Clinicians': learners, certificates and reports could not "
            "tell the two apart. Give each course its own title, e.g. title: Self-Compassion "
            "for Clinicians (Part 2)",
        )
    # Checking the copy alone still finds the course beside it.
    alone = check(runner, library, "self-compassion-part-2")
    warned_with(alone, "courses/self-compassion-part-2/course.yaml:1: warning: the course ")
    assert f"courses/{SINGLE_PAGE}/course.yaml:1: warning" not in alone.output


@ONLY_SQLITE
@pytest.mark.parametrize(
    "title", ["Module 3: Developing Stable and Clear Attention", "3. Developing Attention"]
)
def test_a_module_title_that_numbers_itself_is_warned_at(runner, library, title):
    module = library / MODULES / "modules" / "03-developing-stable-and-clear-attention.md"
    edit(module, "# Developing Stable and Clear Attention", f"# {title}")
    warned_with(
        check(runner, library),
        f"courses/{MODULES}/modules/03-developing-stable-and-clear-attention.md:1: warning: "
        f"module title '{title}' carries its own number; pages show it as 'Module 3 of 10' "
        "from the file order: leave the number out of the title. Write it like this:\n"
        f"    # {title.split(' ', 1 if title[0].isdigit() else 2)[-1].lstrip(': ')}\n",
    )


@ONLY_SQLITE
@pytest.mark.parametrize(
    ("fence", "meant"), [("Video", "video"), ("vidoe", "video"), ("yaml", "video")]
)
def test_a_resource_the_page_would_show_as_code_is_warned_at(runner, library, fence, meant):
    line = edit(library / SINGLE_PAGE / "lesson.md", "```video\n", f"```{fence}\n")
    warned_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/lesson.md:{line}: warning: this block is shown as code, not as "
        f"a {meant}: a resource block starts with ```{meant} exactly (lowercase), not "
        f"```{fence}. Write ```{meant} on this line",
    )


@ONLY_SQLITE
def test_a_media_file_no_block_uses_is_warned_at(runner, library):
    (library / SINGLE_PAGE / "media" / "extra-reading.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    lesson = library / SINGLE_PAGE / "lesson.md"
    text = lesson.read_text()
    start = text.index("```handout\n")
    lesson.write_text(text[:start] + text[text.index("```\n", start) + 4 :])
    result = check(runner, library)
    warned_with(
        result,
        f"courses/{SINGLE_PAGE}/media/extra-reading.pdf:1: warning: media file "
        "'extra-reading.pdf' is not used: no handout block in the lesson names it, so learners "
        "never see it. Add a block where it belongs, e.g. ```handout with file: "
        "extra-reading.pdf (and its title), or delete the file",
    )
    warned_with(result, "media file 'self-compassion-practice-worksheet.md' is not used")
    # The MP3 beside the Ogg recording the audio block names is used: offered with it.
    assert "self-compassion-break.mp3' is not used" not in result.output


@ONLY_SQLITE
@pytest.mark.parametrize(
    "written", ["the-self-compassion-tests", "The Self-Compassion Test", "self-compassion-test"]
)
def test_a_quiz_section_no_heading_has_names_the_closest_heading(runner, library, written):
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, "    section: the-self-compassion-test\n", f"    section: {written}\n")
    failed_with(
        check(runner, library),
        f"{QUIZ}:{line}: item 'scs-structure': section '{written}' is not a '## ' heading in "
        "the lesson. Did you mean section: the-self-compassion-test (the heading "
        "'## The Self-Compassion Test')? A section is written as its heading's address",
    )


@ONLY_SQLITE
def test_ce_hours_the_lesson_cannot_justify_are_warned_at_with_the_estimate(runner, library):
    course = library / SINGLE_PAGE / "course.yaml"
    line = edit(course, "ce_hours: 1\n", "ce_hours: 3\n")
    warned_with(
        check(runner, library),
        f"courses/{SINGLE_PAGE}/course.yaml:{line}: warning: ce_hours 3 h is 89% more than "
        "the estimated 1 h 35 min, and CE hours may be at most 25% above the estimate; see `ceengine "
        f"courses credit-estimate {SINGLE_PAGE}`. The lesson is shorter than its CE hours can "
        "justify: add to it, or declare the time it takes, e.g. ce_hours: 1.5",
    )


@ONLY_SQLITE
def test_the_app_gets_the_same_problem_list_as_the_check(app, library):
    shutil.copytree(library / SINGLE_PAGE, library / "self-compassion-part-2")
    edit(library / SINGLE_PAGE / "course.yaml", "ce_hours: 1\n", "ce_hours: 3\n")
    edit(library / SINGLE_PAGE / "lesson.md", "```video\n", "```Video\n")
    _, _, problems = check_library(library)
    messages = [str(problem) for problem in problems.warnings]
    assert sum("has the same title" in m for m in messages) == 2
    assert any("warning: ce_hours 3 h is" in m for m in messages)
    assert any("this block is shown as code, not as a video" in m for m in messages)


@ONLY_SQLITE
def test_the_shipped_courses_pass_with_no_warning(app, runner):
    result = runner.invoke(args=["courses", "check", "--dir", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    _, _, problems = check_library(PROJECT_COURSES)
    assert problems.items == []


def test_the_preview_shows_the_same_words_on_the_page_with_the_example_lines_kept(
    library, tmp_path
):
    """`courses preview` shows the problem list on the page it concerns: the plain words and
    the corrected lines, their indents kept."""
    quiz = library / SINGLE_PAGE / "quiz.yaml"
    line = edit(quiz, "    answer: true\n", "     answer: true\n")
    (tmp_path / "preview").mkdir()
    app = create_preview_app(library, tmp_path / "preview", overrides=app_settings())
    app.test_client_class = FreshRequestClient
    with app.app_context():
        page = app.test_client().get(f"/courses/{SINGLE_PAGE}").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    assert f"{QUIZ}:{line}:</code> a wrong indent: this line is indented 5 spaces" in page
    assert "Write it like this:\n    statement: &#34;Neff&#39;s" in page
    assert "\n    answer: true" in page
