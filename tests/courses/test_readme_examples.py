"""courses/README.md's examples are what the reader accepts: the marked `course.yaml`,
`lesson.md` and `quiz.yaml` blocks make a course that `courses check` passes, they show every
field the format has, and every YAML block in the page is valid YAML."""

from __future__ import annotations

import re
import shutil

import pytest
from markdown_it import MarkdownIt

from ceengine.courses.format import COURSE_KEYS, QUIZ_KEYS, read_library
from ceengine.courses.quizfile import ITEM_KEYS
from ceengine.courses.resources import RESOURCE_TYPES, resource_keys
from ceengine.courses.yamlfile import YamlSyntaxError, load_yaml
from tests.support.app import PROJECT_COURSES

README = PROJECT_COURSES / "README.md"
MARKER = re.compile(r"<!-- example: (\S+) -->")


def fenced_blocks() -> list[tuple[str | None, str, str]]:
    """(the file a block is marked as, its info string, its text) for each fenced block."""
    tokens = MarkdownIt("commonmark").parse(README.read_text(encoding="utf-8"))
    blocks, marked = [], None
    for token in tokens:
        if token.type == "html_block" and MARKER.search(token.content):
            marked = MARKER.search(token.content).group(1)
        elif token.type == "fence":
            blocks.append((marked, token.info.strip(), token.content))
            marked = None
    return blocks


def examples() -> dict[str, str]:
    """The marked example files, by name."""
    return {name: text for name, _, text in fenced_blocks() if name}


def resource_blocks(markdown: str) -> list[tuple[str, str]]:
    """(type, YAML) of each resource block in a lesson."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [(t.info.strip(), t.content) for t in tokens if t.type == "fence"]


def test_the_readme_marks_a_course_yaml_a_lesson_and_a_quiz():
    assert set(examples()) == {"course.yaml", "lesson.md", "quiz.yaml"}


def test_the_examples_make_a_course_that_passes_the_check(tmp_path):
    courses = tmp_path / "courses"
    folder = courses / "readme-example"
    (folder / "media").mkdir(parents=True)
    shutil.copy(PROJECT_COURSES / "sponsor.yaml", courses)  # the approval the example claims
    for name, text in examples().items():
        (folder / name).write_text(text, encoding="utf-8")
    # The media files the resource blocks name: stand-ins, as a README cannot carry them.
    for kind, body in resource_blocks(examples()["lesson.md"]):
        media = load_yaml(body).get("file") if kind in ("audio", "handout") else None
        if media:
            (folder / "media" / media).write_bytes(b"stand-in")

    specs, _, problems = read_library(courses)

    assert [spec.slug for spec in specs] == ["readme-example"]
    assert problems.errors == []
    kinds = {block["kind"] for block in specs[0].content["modules"][0]["blocks"]}
    assert kinds == {"html", *RESOURCE_TYPES}
    assert [item["answer"] for item in specs[0].items] == [
        "True",
        "A compassionate letter to yourself",
    ]


def test_the_examples_show_every_field_of_the_format():
    course = load_yaml(examples()["course.yaml"])
    assert set(course) == COURSE_KEYS
    assert set(course["quiz"]) == QUIZ_KEYS
    assert set(course["certificate"]) == {"fee", "currency", "license_details"}
    assert set(course["reflections"]) == {"enabled", "prompt", "moderation"}
    assert set(course["presenters"][0]) == {"name", "credentials", "bio"}
    assert set(course["credit"][0]) == {"approval", "hours", "type"}
    items = load_yaml(examples()["quiz.yaml"])["items"]
    assert set().union(*(set(item) for item in items)) == ITEM_KEYS
    shown = {kind: set(load_yaml(body)) for kind, body in resource_blocks(examples()["lesson.md"])}
    assert shown == {kind: resource_keys(kind) for kind in RESOURCE_TYPES}


def test_every_top_level_field_says_whether_it_is_required_or_its_default():
    for line in examples()["course.yaml"].splitlines():
        if re.match(r"^[a-z_]+:", line):
            comment = line.partition(" #")[2]
            assert "required" in comment or "default" in comment, line


@pytest.mark.parametrize(
    "block",
    [(info, text) for _, info, text in fenced_blocks() if info in ("yaml", "yml")],
    ids=lambda block: block[1].splitlines()[0][:30],
)
def test_every_yaml_block_in_the_readme_is_valid_yaml(block):
    _, text = block
    load_yaml(text)  # raises, naming the line, when it is not


def test_every_resource_block_in_the_readme_is_valid_yaml():
    for _, info, text in fenced_blocks():
        if info == "markdown":
            for kind, body in resource_blocks(text):
                if kind in RESOURCE_TYPES:
                    assert isinstance(load_yaml(body), dict), (kind, body)


def test_the_readme_shows_the_plain_words_the_check_gives():
    """The example message under "Writing YAML" is the one the reader gives for that line."""
    shown = re.search(
        r"```\n(courses/my-course/quiz\.yaml:14: .*?)\n```", README.read_text(), re.DOTALL
    ).group(1)
    message = shown.split(":14: ", 1)[1]
    line = "    explanation: The scale has six subscales: self-kindness and five more."
    quiz = "\n".join(["items:", *["# a comment"] * 12, line]) + "\n"  # the line is line 14
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml(quiz)
    assert (caught.value.line, caught.value.message) == (14, message)
