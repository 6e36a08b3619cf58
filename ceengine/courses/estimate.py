"""How long a course takes, worked out from what it holds, to compare with its CE hours.

The rates are documented (README, courses/README.md) so an accreditor can follow them:
lesson text at a reading rate (the CEENGINE_READING_WPM setting: 200 words a minute by
default, NCBTMB's 12,000 words an hour); audio and video for as long as they play; an
exercise for the minutes its `duration` field states, when that field is a plain number of
minutes; one minute per quiz item.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ceengine.courses.content import CourseContent

QUIZ_MINUTES_PER_ITEM = 1
_TAG = re.compile(r"<[^>]*>")
_WORD_CHARACTER = re.compile(r"\w")
_STATED_MINUTES = re.compile(r"^\s*(\d{1,4})\s*(?:(minutes?|mins?)|(hours?|h))\s*$", re.IGNORECASE)


def count_words(page_html: str) -> int:
    """The words a reader reads in an HTML fragment: its text, without tags or attributes.

    A word is a run of non-space holding a letter or digit ("—" alone is not one).
    """
    text = html.unescape(_TAG.sub(" ", page_html))
    return sum(1 for word in text.split() if word[0].isalnum() or _WORD_CHARACTER.search(word))


def lesson_words(course: CourseContent) -> int:
    """The words of the course's lesson text (its modules' prose and headings), as read."""
    return sum(
        count_words(block["html"]) for block in _blocks(course.modules) if block["kind"] == "html"
    )


def stated_minutes(text: str | None) -> int | None:
    """The minutes an exercise's `duration` states when it is only that ("15 minutes", "1 hour").

    Anything else ("Throughout the day", "a few minutes") is prose and is not counted.
    """
    match = _STATED_MINUTES.match(text or "")
    if not match:
        return None
    number = int(match.group(1))
    return number * 60 if match.group(3) else number


def audio_files(course: CourseContent) -> list[str]:
    """The media/ file name of every audio resource in the course, in lesson order."""
    return [
        block["media"]["file"]
        for module in course.modules
        for block in module.blocks
        if block["kind"] == "audio" and block.get("media")
    ]


def format_minutes(minutes: float) -> str:
    """A length as people say it: "42 min", "3 h 42 min", "2 h", "under 1 min"."""
    if 0 < minutes < 0.5:
        return "under 1 min"
    whole = int(Decimal(str(minutes)).quantize(Decimal(1), ROUND_HALF_UP))
    hours, rest = divmod(whole, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def format_hours(hours: Decimal) -> str:
    """Hours without trailing zeros: "1.25 h", "2 h", "10 h"."""
    return f"{hours.normalize():f} h"


@dataclass(frozen=True)
class Estimate:
    """A course's estimated time, part by part, next to the CE hours it declares."""

    words: int
    reading_wpm: int
    media_seconds: float
    exercise_minutes: int
    untimed_exercises: int  # exercises whose duration is prose, so not counted
    quiz_items: int
    declared_hours: Decimal

    @property
    def reading_minutes(self) -> float:
        """Minutes to read the lesson text at the reading rate."""
        return self.words / self.reading_wpm

    @property
    def media_minutes(self) -> float:
        """Minutes of audio and video."""
        return self.media_seconds / 60

    @property
    def quiz_minutes(self) -> int:
        """Minutes for the quiz: one per item."""
        return self.quiz_items * QUIZ_MINUTES_PER_ITEM

    @property
    def total_minutes(self) -> float:
        """Reading, media, exercises and quiz together."""
        return self.reading_minutes + self.media_minutes + self.exercise_minutes + self.quiz_minutes

    @property
    def total_text(self) -> str:
        """The total as people say it ("3 h 42 min")."""
        return format_minutes(self.total_minutes)

    @property
    def rounded_hours(self) -> Decimal:
        """The total in hours, to the nearest quarter hour (as CE hours are declared)."""
        quarters = Decimal(str(self.total_minutes)) / 15
        return quarters.quantize(Decimal(1), ROUND_HALF_UP) / 4

    @property
    def difference_percent(self) -> int:
        """How far the declared hours are above (+) or below (-) the estimate, in percent."""
        if not self.total_minutes:
            return 0
        declared = float(self.declared_hours) * 60
        return round(100 * (declared - self.total_minutes) / self.total_minutes)

    def declared_exceeds(self, margin_percent: int) -> bool:
        """Whether the declared hours are more than `margin_percent` above the estimate."""
        return float(self.declared_hours) * 60 > self.total_minutes * (1 + margin_percent / 100)


def estimate_course(
    course: CourseContent,
    quiz_items: int,
    audio_seconds: Mapping[str, float],
    reading_wpm: int,
) -> Estimate:
    """Estimate `course`'s time; audio plays for `audio_seconds[file]`, else its stated duration.

    The word count stored at sync is used when the content has one (counting is the slow part).
    """
    media, exercise_minutes, untimed = 0.0, 0, 0
    for block in _blocks(course.modules):
        kind = block["kind"]
        if kind == "audio":
            played = audio_seconds.get((block.get("media") or {}).get("file", ""))
            media += played if played is not None else block["duration"]["seconds"]
        elif kind == "video":
            media += block["duration"]["seconds"]
        elif kind == "exercise":
            minutes = stated_minutes(block.get("duration_text"))
            exercise_minutes += minutes or 0
            untimed += minutes is None
    return Estimate(
        words=lesson_words(course) if course.lesson_words is None else course.lesson_words,
        reading_wpm=reading_wpm,
        media_seconds=media,
        exercise_minutes=exercise_minutes,
        untimed_exercises=untimed,
        quiz_items=quiz_items,
        declared_hours=course.ce_hours,
    )


def _blocks(modules: Iterable) -> Iterable[dict]:
    for module in modules:
        yield from module.blocks


def _difference(percent: int) -> str:
    if not percent:
        return "0% (declared hours match the estimate)"
    side = "more" if percent > 0 else "less"
    return f"{percent:+d}% (declared hours are {abs(percent)}% {side} than the estimate)"


def estimate_rows(estimate: Estimate) -> list[tuple[str, str]]:
    """The estimate as (label, value) rows, as `courses credit-estimate` prints them."""
    untimed = estimate.untimed_exercises
    return [
        ("Lesson words", f"{estimate.words:,}"),
        (f"Reading at {estimate.reading_wpm} words/min", format_minutes(estimate.reading_minutes)),
        ("Audio and video", format_minutes(estimate.media_minutes)),
        (
            "Exercises (stated minutes)",
            format_minutes(estimate.exercise_minutes)
            + (f" ({untimed} more without stated minutes, not counted)" if untimed else ""),
        ),
        (f"Quiz ({estimate.quiz_items} items, 1 min each)", format_minutes(estimate.quiz_minutes)),
        ("Estimated total", format_minutes(estimate.total_minutes)),
        ("Rounded to the quarter hour", format_hours(estimate.rounded_hours)),
        ("Declared CE hours", format_hours(estimate.declared_hours)),
        ("Difference", _difference(estimate.difference_percent)),
    ]
