"""`ceengine courses preview`: the working copy served for its author, over HTTP."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from ceengine.certificates.models import Certificate
from ceengine.courses.models import Course, CourseVersion, QuizItem
from ceengine.extensions import db
from ceengine.preview import create_preview_app
from ceengine.quizzes.models import Attempt
from tests.support.app import FreshRequestClient, app_settings
from tests.support.html import text_of
from tests.support.network import free_port
from tests.support.quiz_steps import answer_sheet, score

BANNER = "Preview — not published"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def preview(courses_dir, tmp_path):
    """The app in preview mode on a copy of the fixture courses, inside its app context."""
    app = create_preview_app(courses_dir, _folder(tmp_path / "preview"), overrides=app_settings())
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _edit(path: Path, old: str, new: str) -> None:
    """Save a file as an editor does: new text, a later modification time."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def test_every_page_says_it_is_a_preview(preview):
    client = preview.test_client()
    for url, status in (
        ("/", 200),
        ("/courses/demo-lesson", 200),
        ("/courses/demo-modules/modules/settling-the-mind", 200),
        ("/courses/demo-modules/quiz", 200),
        ("/no-such-page", 404),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert BANNER in text_of(response), url


def test_an_unpublished_course_is_shown(preview, courses_dir):
    _edit(
        courses_dir / "demo-lesson" / "course.yaml", "ce_hours: 1", "ce_hours: 1\npublished: false"
    )
    client = preview.test_client()
    assert "Demo Lesson on Kindness" in text_of(client.get("/"))
    assert client.get("/courses/demo-lesson").status_code == 200


def test_a_mistake_is_shown_on_its_page_with_file_and_line(preview, courses_dir):
    client = preview.test_client()
    assert "mistake" not in text_of(client.get("/courses/demo-lesson"))
    _edit(
        courses_dir / "demo-lesson" / "quiz.yaml",
        "section: practising-every-day",
        "section: nowhere",
    )
    expected = (
        "courses/demo-lesson/quiz.yaml:11: item 'only-formal': section 'nowhere' is not a '## ' "
        "heading in the lesson"
    )
    page = text_of(client.get("/courses/demo-lesson"))
    assert "1 mistake to fix" in page
    assert expected in page
    # Until it is fixed, the course shows its last version without mistakes.
    assert "Self-compassion has three parts." in page
    assert expected in text_of(client.get("/courses/demo-lesson/quiz"))
    assert expected in text_of(client.get("/"))  # the catalog lists every problem
    assert expected not in text_of(client.get("/courses/demo-modules"))
    # Fixed and saved: the next page is clean.
    _edit(
        courses_dir / "demo-lesson" / "quiz.yaml",
        "section: nowhere",
        "section: practising-every-day",
    )
    assert "mistake" not in text_of(client.get("/courses/demo-lesson"))


def test_a_module_mistake_is_shown_on_that_module(preview, courses_dir):
    _edit(
        courses_dir / "demo-modules" / "modules" / "02-settling-the-mind.md",
        "\n## ",
        "\n# A second title\n\n## ",
    )
    client = preview.test_client()
    module = text_of(client.get("/courses/demo-modules/modules/settling-the-mind"))
    assert "courses/demo-modules/modules/02-settling-the-mind.md:" in module
    assert "'# A second title': use '## ' for sections" in module
    other = text_of(client.get("/courses/demo-modules/modules/getting-started"))
    assert "02-settling-the-mind.md" not in other
    assert "02-settling-the-mind.md" in text_of(client.get("/courses/demo-modules"))


def test_a_course_never_loaded_shows_its_mistakes(preview, courses_dir):
    new = courses_dir / "broken-course"
    new.mkdir()
    (new / "course.yaml").write_text("title: Broken\nce_hours: [\n")
    client = preview.test_client()
    response = client.get("/courses/broken-course")
    assert response.status_code == 200
    page = text_of(response)
    assert "The course broken-course cannot be shown yet" in page
    assert "courses/broken-course/course.yaml:" in page
    assert "courses/broken-course/quiz.yaml:1: quiz.yaml is missing" in page


def test_the_quiz_is_scored_against_the_working_copy(preview, courses_dir):
    client = preview.test_client()
    _, answers = answer_sheet(client, "demo-lesson")
    assert "6 of 6 correct" in text_of(client.get(score(client, "demo-lesson", answers).location))
    # The author changes an answer in quiz.yaml; no restart.
    _edit(
        courses_dir / "demo-lesson" / "quiz.yaml",
        "statement: Self-compassion has three parts.\n    answer: true",
        "statement: Self-compassion has three parts.\n    answer: false",
    )
    form, _ = answer_sheet(client, "demo-lesson")  # the quiz page as it is now
    chosen = dict(form.hidden)
    items = db.session.scalars(
        sa.select(QuizItem).where(QuizItem.id.in_([int(n[5:]) for n in form.radios]))
    )
    for item in items:  # the same answers as before the edit
        chosen[f"item-{item.id}"] = "True" if item.key == "three-parts" else item.answer
    result = client.get(score(client, "demo-lesson", chosen).location)
    assert "5 of 6 correct" in text_of(result)
    course = db.session.scalar(sa.select(Course).where(Course.slug == "demo-lesson"))
    assert course.current_version.number == 2  # the edit became the preview's version 2


def test_nothing_touches_the_real_database(
    synced, courses_dir, database_url, tmp_path, monkeypatch
):
    def counts():
        return [
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Course, CourseVersion, QuizItem, Attempt, Certificate)
        ]

    real = counts()
    sqlite_file = (
        Path(database_url.removeprefix("sqlite:///")) if "sqlite" in database_url else None
    )
    before = hashlib.sha256(sqlite_file.read_bytes()).hexdigest() if sqlite_file else None
    db.session.remove()
    monkeypatch.setenv("DATABASE_URL", database_url)  # the configured database
    app = create_preview_app(courses_dir, _folder(tmp_path / "preview"), overrides=app_settings())
    assert app.config["SQLALCHEMY_DATABASE_URI"] != database_url
    with app.app_context():
        client = app.test_client()
        _, answers = answer_sheet(client, "demo-lesson")
        assert score(client, "demo-lesson", answers).status_code == 303
        _edit(courses_dir / "demo-lesson" / "quiz.yaml", "has three parts", "has 3 parts")
        assert "has 3 parts" in text_of(client.get("/courses/demo-lesson"))
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
        db.session.remove()
        db.engine.dispose()
    assert counts() == real
    if sqlite_file:
        assert hashlib.sha256(sqlite_file.read_bytes()).hexdigest() == before


def test_preview_of_a_missing_course_or_a_busy_port_says_so(app, courses_dir):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["courses", "preview", "no-such-course"])
    assert missing.exit_code == 1
    assert "there is no course folder" in missing.output and "no-such-course" in missing.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = runner.invoke(args=["courses", "preview", "demo-lesson", "--port", str(port)])
    assert taken.exit_code == 1
    assert f"Port {port} is in use by another program." in taken.output
    assert "Preview of" not in taken.output


def test_the_command_serves_the_working_copy_and_never_opens_database_url(tmp_path, courses_dir):
    real = tmp_path / "real.db"  # the configured database: the preview must not even create it
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{real}", "CEENGINE_TIMEZONE": "UTC"}
    command = [sys.executable, "-m", "flask", "--app", "ceengine", "courses", "preview"]
    process = subprocess.Popen(
        [*command, "demo-modules", "--dir", str(courses_dir), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/courses/demo-modules"
                ) as page:
                    html = page.read().decode()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "no preview"
                time.sleep(0.25)
        assert BANNER in text_of(html)
        assert "Demo Modules" in text_of(html)
    finally:
        process.send_signal(signal.SIGTERM)  # as a kill or Ctrl+C stops it
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"at http://127.0.0.1:{port}/courses/demo-modules (not published" in output
    assert not real.exists()
