"""The credit estimate: a course's time from its words, media, exercises and quiz.

A small course is written here with a known word count and a real audio file, so each part
of the estimate is known in advance.
"""

from __future__ import annotations

import wave
from decimal import Decimal
from pathlib import Path

import pytest

from ceengine.courses.audio import audio_seconds
from ceengine.courses.content import CourseContent
from ceengine.courses.estimate import (
    audio_files,
    estimate_course,
    format_minutes,
    stated_minutes,
)
from ceengine.courses.format import read_courses

FIXTURE_YAML = Path(__file__).parent.parent / "fixtures" / "courses" / "demo-lesson" / "course.yaml"

# 12 words: markup, the link's address and the dash are not words.
MARKED_UP = (
    "A paragraph with **bold**, _emphasis_ and a [link](https://example.org/a-long-address) "
    "— dashes are not words.\n"
)
HEADING = "## First Part\n"  # 2 words
TABLE = "| Term | Meaning |\n|---|---|\n| kindness | warmth |\n"  # 4 words
FILLER = " ".join(["practice"] * 582) + "\n"  # 600 words in all: 3 minutes at 200 a minute

LESSON = f"""{MARKED_UP}
{HEADING}
{TABLE}
{FILLER}
```audio
file: tone.wav
title: A tone
duration: "9:59"
transcript: This transcript is read instead of listening, so its words are not counted.
```

```video
provider: youtube
id: abcdefghijk
title: A talk
duration: "2:30"
speaker: Ada Example
```

```exercise
title: Timed
duration: 10 minutes
steps:
  - Breathe slowly for ten minutes.
```

```exercise
title: Untimed
duration: Throughout the day, plus about 10 minutes of writing
steps:
  - Notice.
```
"""

QUIZ = """items:
  - id: one
    statement: The lesson has a first part.
    answer: true
    explanation: It does.
    section: first-part
  - id: two
    statement: The lesson has no table.
    answer: false
    explanation: It has one.
    section: first-part
"""


def write_wav(path: Path, seconds: int, rate: int = 1000) -> None:
    """A silent mono WAV file that plays for `seconds`."""
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(rate)
        audio.writeframes(b"\x80" * seconds * rate)


@pytest.fixture
def course_folder(tmp_path) -> Path:
    folder = tmp_path / "courses" / "timed-course"
    (folder / "media").mkdir(parents=True)
    meta = FIXTURE_YAML.read_text().replace("ce_hours: 1\n", "ce_hours: 0.25\n")
    (folder / "course.yaml").write_text(meta)
    (folder / "lesson.md").write_text(LESSON)
    (folder / "quiz.yaml").write_text(QUIZ)
    write_wav(folder / "media" / "tone.wav", 90)
    return folder


def load(folder: Path) -> tuple[CourseContent, int]:
    specs, _ = read_courses(folder.parent)
    return CourseContent.from_json(specs[0].content), len(specs[0].items)


def test_each_part_of_the_estimate_is_counted_from_what_the_course_declares(course_folder):
    course, items = load(course_folder)
    seconds = audio_seconds(course_folder / "media", audio_files(course))
    assert seconds == {"tone.wav": 90.0}  # read from the file, not its stated 9:59

    estimate = estimate_course(course, items, seconds, reading_wpm=200)

    assert estimate.words == 600
    assert estimate.reading_minutes == 3
    assert estimate.media_minutes == 4  # 1:30 of audio played + 2:30 of video stated
    assert (estimate.exercise_minutes, estimate.untimed_exercises) == (10, 1)
    assert estimate.quiz_minutes == 2
    assert estimate.total_minutes == 19
    assert estimate.total_text == "19 min"
    assert estimate.rounded_hours == Decimal("0.25")
    assert estimate.declared_hours == Decimal("0.25")
    assert estimate.difference_percent == -21  # 15 declared minutes against 19
    assert not estimate.declared_exceeds(25)


def test_the_reading_rate_sets_the_reading_minutes(course_folder):
    course, items = load(course_folder)
    estimate = estimate_course(course, items, {"tone.wav": 90.0}, reading_wpm=120)
    assert estimate.reading_minutes == 5
    assert estimate.total_minutes == 21


@pytest.mark.parametrize(
    "damaged",
    [b"not really a wave file", b"RIFF\x24\x00\x00\x00WAVEfmt ", b""],
    ids=["text", "cut-short", "empty"],
)
def test_an_audio_file_that_cannot_be_read_counts_its_stated_duration(course_folder, damaged):
    (course_folder / "media" / "tone.wav").write_bytes(damaged)
    course, items = load(course_folder)
    seconds = audio_seconds(course_folder / "media", audio_files(course))
    assert seconds == {}
    estimate = estimate_course(course, items, seconds, reading_wpm=200)
    assert estimate.media_seconds == 9 * 60 + 59 + 150


def test_declared_hours_far_above_the_estimate_exceed_the_margin(course_folder):
    meta = course_folder / "course.yaml"
    meta.write_text(meta.read_text().replace("ce_hours: 0.25\n", "ce_hours: 0.5\n"))
    course, items = load(course_folder)
    estimate = estimate_course(course, items, {"tone.wav": 90.0}, reading_wpm=200)
    assert estimate.difference_percent == 58  # 30 declared minutes against 19
    assert estimate.declared_exceeds(25)
    assert not estimate.declared_exceeds(60)


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [
        ("15 minutes", 15),
        ("1 minute", 1),
        ("20 min", 20),
        ("1 hour", 60),
        ("2 hours", 120),
        ("Throughout the day", None),
        ("Throughout the day, plus about 10 minutes of writing", None),
        ("A few minutes, several times a day", None),
        ("", None),
        (None, None),
    ],
)
def test_only_a_duration_that_is_just_a_number_of_minutes_or_hours_counts(duration, minutes):
    assert stated_minutes(duration) == minutes


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (0, "0 min"),
        (0.2, "under 1 min"),
        (0.5, "1 min"),
        (42, "42 min"),
        (59.6, "1 h"),
        (222, "3 h 42 min"),
        (120, "2 h"),
    ],
)
def test_lengths_are_said_in_hours_and_minutes(minutes, said):
    assert format_minutes(minutes) == said


def test_a_word_count_stored_at_sync_is_used_rather_than_counted_again(course_folder):
    specs, _ = read_courses(course_folder.parent)
    stored = CourseContent.from_json({**specs[0].content, "lesson_words": 1000})
    estimate = estimate_course(stored, 2, {"tone.wav": 90.0}, reading_wpm=200)
    assert (estimate.words, estimate.reading_minutes) == (1000, 5)
