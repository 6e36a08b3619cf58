"""`ceengine courses new` then `ceengine courses preview`, in Chromium: the banner, a mistake
shown on its page (the newest one, even in a browser without cookies), and the quiz scored
against the working copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ceengine import create_app
from ceengine.preview import create_preview_app
from tests.browser.support.pages import assert_accessible, screenshot
from tests.browser.support.server import LiveServer
from tests.support.app import FIXTURE_COURSES, app_settings

pytestmark = pytest.mark.browser

SLUG = "mindful-care"
TRUE_FALSE = "Replace this with a statement the lesson shows to be true."
CHOICE = "Which of these does the guided practice ask you to do?"
CHANGE = "The exercise ends by asking what changed between its start and its end."


@pytest.fixture
def authoring(tmp_path):
    """A courses folder with a course just made by `ceengine courses new`, previewed."""
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    runner = create_app({**app_settings(), "COURSES_DIR": str(courses)}).test_cli_runner()
    made = runner.invoke(
        args=["courses", "new", SLUG, "--title", "Mindful Care", "--presenter", "Jane Doe"]
        + ["--credentials", "PhD", "--layout", "single-page"],
        input="\n",  # the CE hours the starter's text justifies
    )
    assert made.exit_code == 0, made.output
    database = tmp_path / "preview"
    database.mkdir()
    app = create_preview_app(courses, database, overrides=app_settings())
    with LiveServer(app) as server:
        server.courses = courses
        yield server


def _edit(path: Path, old: str, new: str) -> None:
    """Save a file as an editor does: new text, a later modification time."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def _answer(page, statement_answer: str, choice: str) -> None:
    page.get_by_role("group", name=TRUE_FALSE).get_by_label(statement_answer, exact=True).check()
    page.get_by_role("group", name=CHOICE).get_by_label(choice, exact=True).check()
    page.get_by_role("group", name=CHANGE).get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Score My Quiz").click()


def test_the_banner_and_a_mistake_on_its_page(authoring, page):
    page.goto(f"{authoring.url}/courses/{SLUG}")
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    expect(page.get_by_role("heading", name="Mindful Care", level=1)).to_be_visible()
    problems = page.get_by_role("region", name="Problems in the course files")
    expect(problems).to_have_count(0)  # a new course has no mistake and no warning
    _edit(
        authoring.courses / SLUG / "course.yaml",
        "summary: One sentence",
        "summary: Two ideas: one sentence",
    )
    page.reload()
    expect(problems).to_contain_text("1 mistake to fix")
    expect(problems).to_contain_text(
        f"courses/{SLUG}/course.yaml:6: a colon inside text: 'ideas:' followed by a space"
    )
    expect(problems).to_contain_text(
        'summary: "Two ideas: one sentence that tells a clinician what the course gives '
        'them."   # at most 200 characters'
    )
    _edit(
        authoring.courses / SLUG / "course.yaml",
        "summary: Two ideas: one sentence",
        "summary: One sentence",
    )
    # A private window (no cookie) sees the newest problems, not a page kept from before.
    page.context.clear_cookies()
    _edit(
        authoring.courses / SLUG / "quiz.yaml",
        "section: a-guided-practice",
        "section: guided-practice",
    )
    page.reload()
    expect(problems).to_contain_text("1 mistake to fix")
    expect(problems).to_contain_text(
        f"courses/{SLUG}/quiz.yaml:23: item 'guided-practice-focus': section 'guided-practice' "
        "is not a '## ' heading in the lesson"
    )
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"preview-{page.viewport_name}")


def test_the_quiz_is_scored_against_the_working_copy(authoring, desktop_page):
    page = desktop_page
    page.goto(f"{authoring.url}/courses/{SLUG}/quiz")
    _answer(page, "True", "Write down one thing you noticed")
    expect(page.get_by_text("3 of 3 correct")).to_be_visible()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    # The author decides the statement is false; the next learner is scored on that.
    _edit(
        authoring.courses / SLUG / "quiz.yaml",
        "answer: true                # true | false",
        "answer: false               # true | false",
    )
    page.goto(f"{authoring.url}/courses/{SLUG}/quiz")
    _answer(page, "True", "Write down one thing you noticed")
    expect(page.get_by_text("2 of 3 correct")).to_be_visible()
    expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
