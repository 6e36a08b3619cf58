"""The admin's first page shows each course's declared CE hours beside its estimated time."""

from __future__ import annotations

import wave

from ceengine.courses.services import sync_courses
from tests.support.admin_steps import admin_client
from tests.support.html import table_with
from tests.support.reports import LESSON, MODULES, body_rows, page

HEADER = ["Course", "Public rating", "All responses", "CE hours", "Estimated time"]


def glance(client) -> list[list[str]]:
    """The "Courses at a glance" table of the ratings page, header first."""
    return table_with(page(client, "/admin/ratings"), "Courses at a glance")


def write_wav(path, seconds: int, rate: int = 100) -> None:
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(rate)
        audio.writeframes(b"\x80" * seconds * rate)


def test_each_course_shows_its_ce_hours_and_estimated_time(rated, admin, runner):
    rows = glance(admin)
    assert rows[0] == [*HEADER, "Declared vs estimate"]
    assert body_rows(rows) == [
        [
            LESSON,
            "none yet",
            "72% (5 votes)",
            "1 h",
            "29 min (about 0.5 h)",
            "+104%: more than 25% above the estimate",
        ],
        [MODULES, "none yet", "none", "0.5 h", "3 min", "+835%: more than 25% above the estimate"],
    ]
    # The same figure as the command a sponsor runs on the course files.
    cli = runner.invoke(args=["courses", "credit-estimate", "demo-lesson"]).output
    assert "  Estimated total              29 min\n" in cli


def test_the_margin_setting_decides_which_courses_are_flagged(app_with):
    admin = admin_client(app_with(CREDIT_MARGIN=500))
    rows = body_rows(glance(admin))
    assert rows[0][-1] == "+104%"  # within 500%
    assert rows[1][-1] == "+835%: more than 500% above the estimate"


def test_audio_is_counted_for_as_long_as_it_played_at_the_last_sync(synced, admin, courses_dir):
    folder = courses_dir / "demo-lesson"
    write_wav(folder / "media" / "long.wav", 600)  # ten minutes, though the lesson says 0:04
    lesson = folder / "lesson.md"
    lesson.write_text(lesson.read_text().replace("file: breathing.ogg", "file: long.wav"))
    sync_courses(courses_dir)

    # 39 words, 13:05 of video, 10:00 of audio, a 10-minute exercise, 6 items: 39.3 minutes.
    assert body_rows(glance(admin))[0][3:] == [
        "1 h",
        "39 min (about 0.75 h)",
        "+53%: more than 25% above the estimate",
    ]

    # The page reads the length stored at sync, not the file: a changed file counts once synced.
    write_wav(folder / "media" / "long.wav", 1200)
    assert body_rows(glance(admin))[0][4] == "39 min (about 0.75 h)"
    sync_courses(courses_dir)
    assert body_rows(glance(admin))[0][4] == "49 min (about 0.75 h)"
