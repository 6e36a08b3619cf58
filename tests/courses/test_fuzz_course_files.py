"""Fuzzing course files: every field of course.yaml, of each quiz item and of each lesson
resource block replaced by malformed values; whole files replaced by noise.

The loader must either accept the course or raise CourseFormatError whose every problem reads
`courses/<slug>/<file>:<line>: <what is wrong>`; any other exception is a bug. The fields come
from the examples in courses/README.md (checked against the loader's own key lists), so a newly
documented field is fuzzed too. Lessons have no front matter: their data lives in the fenced
resource blocks, which are fuzzed instead.

Each bug the fuzz found keeps its own test at the end of this file.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceengine.courses.format import COURSE_KEYS, QUIZ_KEYS, read_courses
from ceengine.courses.problems import CourseFormatError
from ceengine.courses.quizfile import ITEM_KEYS
from ceengine.courses.resources import _READERS, RESOURCE_TYPES
from tests.support.app import FIXTURE_COURSES, PROJECT_COURSES
from tests.support.course_files import problems_of
from tests.support.fuzz_steps import is_readable

SLUGS = ("demo-lesson", "demo-modules")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
NUMBERS = {
    ("ce_hours",),
    ("quiz", "pass_threshold"),
    ("quiz", "max_attempts"),
    ("quiz", "wait_minutes"),
    ("quiz", "minimum_minutes"),
    ("certificate", "fee"),
}


# --- the documented format ---------------------------------------------------------------------


def _readme_examples() -> tuple[dict, set[str], dict[str, dict]]:
    """The course.yaml example, the quiz item keys and the resource block examples of
    courses/README.md (its quiz example is not strict YAML: its keys are read by line)."""
    readme = (PROJECT_COURSES / "README.md").read_text()
    course = re.search(r"## `course.yaml`.*?```yaml\n(.*?)```", readme, re.S).group(1)
    quiz = re.search(r"## `quiz.yaml`.*?```yaml\n(.*?)```", readme, re.S).group(1)
    item_keys = set(re.findall(r"^ +-? *([a-z_]+):", quiz, re.M))
    blocks = {
        kind: yaml.safe_load(body)
        for kind, body in re.findall(
            r"```(" + "|".join(RESOURCE_TYPES) + r")\n(.*?)```", readme, re.S
        )
    }
    return yaml.safe_load(course), item_keys, blocks


def paths_in(document, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a document: mappings by key, lists by their first entry."""
    found = []
    children = (
        document.items()
        if isinstance(document, dict)
        else [(0, document[0])]
        if isinstance(document, list) and document
        else []
    )
    for key, value in children:
        found += [(*prefix, key), *paths_in(value, (*prefix, key))]
    return found


COURSE_EXAMPLE, ITEM_KEYS_DOCUMENTED, BLOCK_EXAMPLES = _readme_examples()
COURSE_PATHS = paths_in(COURSE_EXAMPLE)
ITEM_PATHS = [(key,) for key in sorted(ITEM_KEYS_DOCUMENTED)] + [("options", 0)]


def test_the_fuzz_knows_every_field_the_format_has():
    assert set(COURSE_EXAMPLE) == COURSE_KEYS
    assert ITEM_KEYS_DOCUMENTED == ITEM_KEYS
    assert set(BLOCK_EXAMPLES) == set(RESOURCE_TYPES)
    for kind, (_, allowed) in _READERS.items():
        assert set(BLOCK_EXAMPLES[kind]) == allowed, kind
    assert ("presenters", 0, "bio") in COURSE_PATHS and ("quiz", "feedback") in COURSE_PATHS
    documented_quiz_keys = {path[1] for path in COURSE_PATHS if path[0] == "quiz" and path[1:]}
    assert documented_quiz_keys <= QUIZ_KEYS
    # Every quiz setting the loader reads is fuzzed: as documented, or as a number below.
    fuzzed_quiz_keys = documented_quiz_keys | {p[1] for p in NUMBERS if p[0] == "quiz"}
    assert QUIZ_KEYS.issubset(fuzzed_quiz_keys)


# --- malformed values ----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            float("-inf"),
            -0.0,
            1e308,
            5e-324,
            0.25,
            100.25,
            "NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "1E+999999",
        ]
    ),
    st.text(max_size=30),
    st.just(""),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=10),
    st.sampled_from(
        [
            "x" * 201,
            "é" * 1001,
            "x" * 100_000,
            "nan",
            "-1",
            "0",
            "0.1",
            "1e309",
            "yes",
            "~",
            "unlimited",
            "full",
            "usd",
            "US$",
            "<script>x</script>",
            "\x00",
            "\u202e",
            "true_false",
            "multiple_choice",
            "youtube",
            "13:05",
        ]
    ),
)
# Half scalars: left alone, st.recursive mostly makes lists and mappings.
VALUES = SCALARS | st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=8,
)
BROKEN_YAML = [
    "key: 'unclosed\n",
    "\tindented: with a tab\n",
    "- stray\nkey: value\n",
    "a: b: c\n",
    "x: !!python/object:os.system 1\n",
    "---\nsecond: document\n",
    "x: &a [1]\ny: *nowhere\n",
    "x: \x00\n",
    "x: [1, 2\n",
    "{a: 1\n",
    "%YAML 9\n",
]


def _as_number(value) -> Decimal | None:
    """The number the loader would read (it reads Decimal(str(value)), never a bool)."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _has_unhashable_key(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as error:
        return "unhashable" in str(error)
    return False


def _breaks(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    return False


def _get(document, path: tuple):
    for key in path:
        found = (
            key in document
            if isinstance(document, dict)
            else isinstance(document, list) and isinstance(key, int) and len(document) > key
        )
        if not found:
            return None
        document = document[key]
    return document


_DELETE = object()  # as a value for `_set`: take the field out


def _set(document, path: tuple, value) -> None:
    """Put `value` at `path`, making the mappings and lists on the way (_DELETE: remove it)."""
    for key, following in zip(path, path[1:], strict=False):
        empty = [] if isinstance(following, int) else {}
        if isinstance(document, list):
            while len(document) <= key:
                document.append(copy.deepcopy(empty))
            if not isinstance(document[key], (dict, list)):
                document[key] = empty
        elif not isinstance(document.get(key), (dict, list)):
            document[key] = empty
        document = document[key]
    last = path[-1]
    if isinstance(document, list) and value is _DELETE:
        del document[last : last + 1]
    elif isinstance(document, list):
        while len(document) <= last:
            document.append(None)
        document[last] = value
    elif value is _DELETE:
        document.pop(last, None)
    else:
        document[last] = value


# --- reading a mutated course --------------------------------------------------------------------


def copy_course(slug: str, into: Path) -> Path:
    """A writable copy of one fixture course, alone in a `courses` folder."""
    folder = into / "courses" / slug
    shutil.copytree(FIXTURE_COURSES / slug, folder)
    return folder


def load_or_explain(folder: Path, mutated: str, syntax_broken: bool = False) -> None:
    """The course loads, or every problem says file, line and what is wrong in words."""
    try:
        read_courses(folder.parent)
    except CourseFormatError as error:
        assert error.problems
        where = f"courses/{folder.name}"
        for problem in error.problems:
            assert str(problem) == f"{problem.path}:{problem.line}: {problem.message}"
            assert problem.line >= 1 and problem.path.startswith(where), problem
            assert is_readable(problem.message), problem
        if syntax_broken:  # unreadable YAML or bytes: the file itself is named
            assert any(p.path == f"{where}/{mutated}" for p in error.problems), error.problems


def dump(document) -> str:
    """YAML as an author might write it."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


# --- the fuzz ------------------------------------------------------------------------------------


@FUZZ
@given(
    slug=st.sampled_from(SLUGS),
    path=st.sampled_from(COURSE_PATHS),
    value=VALUES,
    delete=st.booleans(),
    unknown=st.none() | st.text(min_size=1, max_size=12),
)
def test_a_malformed_course_yaml_field_is_accepted_or_explained(slug, path, value, delete, unknown):
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_course(slug, Path(tmp))
        document = yaml.safe_load((folder / "course.yaml").read_text())
        _set(document, path, _DELETE if delete else value)
        holder = _get(document, path[:-1]) if path[:-1] else document
        if unknown is not None and isinstance(holder, dict):  # a key the format lacks
            holder[unknown] = value
        (folder / "course.yaml").write_text(dump(document))
        load_or_explain(folder, "course.yaml")


NUMBER_LIKE = st.one_of(
    st.floats(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.decimals().map(str),
    st.decimals(allow_nan=False).map(float),
    st.booleans(),
    st.just("unlimited"),
    st.from_regex(r"\A[-+]?[0-9]{0,4}(\.[0-9]{0,6})?([eE][-+]?[0-9]{1,4})?\Z"),
)


@FUZZ
@given(slug=st.sampled_from(SLUGS), path=st.sampled_from(sorted(NUMBERS)), value=NUMBER_LIKE)
def test_a_malformed_number_is_accepted_or_explained(slug, path, value):
    """CE hours, pass mark, attempts, wait, minimum study time and fee: the loader's richest
    parsing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_course(slug, Path(tmp))
        document = yaml.safe_load((folder / "course.yaml").read_text())
        _set(document, path, value)
        (folder / "course.yaml").write_text(dump(document))
        load_or_explain(folder, "course.yaml")


@FUZZ
@given(
    slug=st.sampled_from(SLUGS),
    index=st.integers(0, 6),
    path=st.sampled_from(ITEM_PATHS),
    value=VALUES,
    operation=st.sampled_from(
        ["replace", "replace", "delete", "duplicate id", "not a mapping", "unknown key"]
    ),
)
def test_a_malformed_quiz_item_field_is_accepted_or_explained(slug, index, path, value, operation):
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_course(slug, Path(tmp))
        document = yaml.safe_load((folder / "quiz.yaml").read_text())
        items = document["items"]
        index = min(index, len(items) - 1)
        if operation == "delete":
            _set(items[index], path, _DELETE)
        elif operation == "duplicate id":
            items[index]["id"] = items[index - 1]["id"]
        elif operation == "not a mapping":
            items[index] = value
        elif operation == "unknown key":
            items[index][str(value)[:20] or "extra"] = value
        else:
            _set(items[index], path, value)
        (folder / "quiz.yaml").write_text(dump(document))
        load_or_explain(folder, "quiz.yaml")


BLOCK_KINDS = sorted(RESOURCE_TYPES) + ["unknown-kind"]


@FUZZ
@given(slug=st.sampled_from(SLUGS), kind=st.sampled_from(BLOCK_KINDS), data=st.data())
def test_a_malformed_resource_block_is_accepted_or_explained(slug, kind, data):
    example = BLOCK_EXAMPLES.get(kind, {"title": "x"})
    fields = {
        key: data.draw(st.one_of(st.just(good), VALUES), label=key)
        for key, good in example.items()
        if data.draw(st.booleans(), label=f"has {key}")
    }
    if data.draw(st.booleans(), label="unknown key"):
        fields[data.draw(st.text(min_size=1, max_size=10), label="key")] = "x"
    body = data.draw(
        st.one_of(st.just(dump(fields)), st.sampled_from(BROKEN_YAML), st.text(max_size=200)),
        label="body",
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_course(slug, Path(tmp))
        lessons = (
            [folder / "lesson.md"]
            if slug == "demo-lesson"
            else sorted((folder / "modules").glob("*.md"))
        )
        lesson = data.draw(st.sampled_from(lessons), label="file")
        lines = lesson.read_text().split("\n")
        at = data.draw(st.integers(0, len(lines)), label="line")
        indent = data.draw(st.sampled_from(["", "", "  ", "- "]), label="indent")
        lines[at:at] = [f"{indent}```{kind}", *body.split("\n"), "```"]
        lesson.write_text("\n".join(lines))
        load_or_explain(folder, str(lesson.relative_to(folder)))


def course_files(slug: str) -> list[str]:
    """Every file of a fixture course, relative to its folder."""
    folder = FIXTURE_COURSES / slug
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@FUZZ
@given(slug=st.sampled_from(SLUGS), data=st.data())
def test_a_file_replaced_by_noise_is_accepted_or_explained(slug, data):
    name = data.draw(
        st.sampled_from([f for f in course_files(slug) if not f.startswith("media")]), label="file"
    )
    content = data.draw(
        st.one_of(
            st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.binary(max_size=300),  # mostly not UTF-8
            st.sampled_from(BROKEN_YAML).map(str.encode),
            st.just(b"\xef\xbb\xbf" + (FIXTURE_COURSES / slug / name).read_bytes()),  # a BOM
            st.just((FIXTURE_COURSES / slug / name).read_text().encode("utf-16")),
            st.just((FIXTURE_COURSES / slug / name).read_text().encode("latin-1", "replace")),
            st.just((FIXTURE_COURSES / slug / name).read_bytes() * 50),
        ),
        label="content",
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_course(slug, Path(tmp))
        (folder / name).write_bytes(content)
        try:
            broken = name.endswith(".yaml") and _breaks(content.decode("utf-8"))
        except UnicodeDecodeError:
            broken = True
        load_or_explain(folder, name, syntax_broken=broken and name.endswith(".yaml"))


# --- the shape of a course folder ----------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


LESSON, MODULES = "demo-lesson", "demo-modules"
STRUCTURE = {
    "no course.yaml": (LESSON, lambda f: (f / "course.yaml").unlink()),
    "no quiz.yaml": (LESSON, lambda f: (f / "quiz.yaml").unlink()),
    "course.yaml empty": (LESSON, lambda f: _write(f / "course.yaml", "")),
    "course.yaml a list": (LESSON, lambda f: _write(f / "course.yaml", "- a\n- b\n")),
    "quiz.yaml a folder": (
        LESSON,
        lambda f: ((f / "quiz.yaml").unlink(), (f / "quiz.yaml").mkdir()),
    ),
    "no items": (LESSON, lambda f: _write(f / "quiz.yaml", "items: []\n")),
    "lesson and modules": (
        LESSON,
        lambda f: _write(f / "modules" / "01-extra.md", "# Extra\n\nText.\n"),
    ),
    "no lesson": (LESSON, lambda f: (f / "lesson.md").unlink()),
    "lesson.md a folder": (
        LESSON,
        lambda f: ((f / "lesson.md").unlink(), (f / "lesson.md").mkdir()),
    ),
    "an h1 in the lesson": (LESSON, lambda f: _write(f / "lesson.md", "# Title\n\nText.\n")),
    "no media folder": (LESSON, lambda f: shutil.rmtree(f / "media")),
    "a media file as a folder": (
        LESSON,
        lambda f: (
            (f / "media" / "breathing.ogg").unlink(),
            (f / "media" / "breathing.ogg").mkdir(),
        ),
    ),
    "an upper-case folder": (LESSON, lambda f: f.rename(f.with_name("Demo-Lesson"))),
    "a module file misnamed": (
        MODULES,
        lambda f: _write(f / "modules" / "1_intro.md", "# I\n\nText.\n"),
    ),
    "two modules numbered 01": (
        MODULES,
        lambda f: _write(f / "modules" / "01-again.md", "# A\n\nText.\n"),
    ),
    "a module without a title": (
        MODULES,
        lambda f: _write(f / "modules" / "04-untitled.md", "Text.\n"),
    ),
    "an empty modules folder": (
        MODULES,
        lambda f: [p.unlink() for p in (f / "modules").glob("*.md")],
    ),
    "a module that is not UTF-8": (
        MODULES,
        lambda f: (f / "modules" / "04-x.md").write_bytes(b"# X\n\xff\xfe"),
    ),
}


@pytest.mark.parametrize("change", sorted(STRUCTURE))
def test_a_course_folder_of_the_wrong_shape_is_explained(tmp_path, change):
    slug, make_the_change = STRUCTURE[change]
    folder = copy_course(slug, tmp_path)
    make_the_change(folder)
    folder = next((tmp_path / "courses").iterdir())
    with pytest.raises(CourseFormatError) as caught:
        read_courses(folder.parent)
    for problem in caught.value.problems:
        assert problem.path.startswith(f"courses/{folder.name}") and problem.line >= 1
        assert is_readable(problem.message), problem


# --- `ceengine courses check` ------------------------------------------------------------------


def test_courses_check_exits_non_zero_naming_file_line_and_reason(runner, courses_dir):
    meta = courses_dir / "demo-lesson" / "course.yaml"
    meta.write_text(meta.read_text().replace("ce_hours: 1", "ce_hours: -1"))
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("answer: false", "answer: maybe", 1))
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 1
    assert (
        "courses/demo-lesson/course.yaml:12: course.yaml: 'ce_hours' must be from 0.25 "
        "to 100, not -1"
    ) in result.output
    assert (
        "courses/demo-lesson/quiz.yaml:9: item 'only-formal': answer must be true or "
        "false; you wrote maybe"
    ) in result.output
    assert "2 mistakes: nothing was loaded." in result.output
    assert "Traceback" not in result.output


# --- bugs the fuzz found, mended: each keeps its test -------------------------------------------


def test_a_course_yaml_that_is_not_utf8_is_explained(tmp_path):
    folder = copy_course("demo-lesson", tmp_path)
    (folder / "course.yaml").write_bytes(b"title: Caf\xe9\n")
    assert any("course.yaml:1:" in p for p in problems_of(folder.parent))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database involved
def test_courses_check_names_a_course_yaml_that_is_not_utf8(runner, courses_dir):
    (courses_dir / "demo-lesson" / "course.yaml").write_bytes(b"title: Caf\xe9\n")
    result = runner.invoke(args=["courses", "check"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "demo-lesson/course.yaml" in result.output


@pytest.mark.parametrize("path", sorted(NUMBERS), ids=".".join)
def test_a_nan_number_is_explained(tmp_path, path):
    folder = copy_course("demo-modules", tmp_path)
    document = yaml.safe_load((folder / "course.yaml").read_text())
    _set(document, path, float("nan"))
    (folder / "course.yaml").write_text(dump(document))
    assert any(path[-1] in p for p in problems_of(folder.parent))


def test_infinite_max_attempts_is_explained(tmp_path):
    folder = copy_course("demo-modules", tmp_path)
    meta = folder / "course.yaml"
    meta.write_text(meta.read_text().replace("max_attempts: 2", "max_attempts: .inf"))
    assert any("max_attempts" in p for p in problems_of(folder.parent))


UNHASHABLE = {
    "course.yaml": ("course.yaml", "? [a, b]\n: c\n"),
    "a lesson block": ("lesson.md", "```video\n? [a]\n: b\n```\n"),
    "quiz.yaml": ("quiz.yaml", "? [a, b]\n: c\n"),
}


@pytest.mark.parametrize("where", sorted(UNHASHABLE))
def test_a_yaml_key_that_is_a_list_is_explained(tmp_path, where):
    name, text = UNHASHABLE[where]
    folder = copy_course("demo-lesson", tmp_path)
    with (folder / name).open("a") as file:
        file.write(text)
    problems = problems_of(folder.parent)
    assert all("LineList" not in p for p in problems) and any(name in p for p in problems)


def test_an_over_long_media_file_name_is_explained(tmp_path):
    folder = copy_course("demo-lesson", tmp_path)
    lesson = folder / "lesson.md"
    lesson.write_text(
        lesson.read_text().replace("file: breathing.ogg", "file: " + "a" * 300 + ".ogg")
    )
    assert any("does not exist" in p for p in problems_of(folder.parent))


def test_a_media_file_name_that_is_not_utf8_is_explained(tmp_path):
    folder = copy_course("demo-lesson", tmp_path)
    with open(os.path.join(os.fsencode(folder / "media"), b"notes-\xff.txt"), "wb") as file:
        file.write(b"x")
    read_courses(folder.parent)
