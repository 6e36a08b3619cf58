"""`ceengine courses new`: a complete course folder to start from, with a commented example of
every resource type and every quiz item type, which `ceengine courses check` passes as written.

Pure: it writes files and imports no Flask. The course is written unpublished, so it never
goes live before its author says so.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ceengine.courses import starter_files as files  # the texts, kept apart from the logic
from ceengine.courses.format import SLUG

LAYOUTS = ("single-page", "modules")
AUDIO_FILE = "guided-practice.wav"
HANDOUT_FILE = "practice-worksheet.md"
MAX_HOURS = Decimal(100)
# What the starter's own lesson and quiz justify (about 25 minutes): a new course passes
# `courses check` with no warning. More hours need more lesson and more quiz items.
DEFAULT_HOURS = Decimal("0.5")


class StarterError(ValueError):
    """A course cannot be started as asked (bad slug, folder taken, bad value)."""


@dataclass(frozen=True)
class Starter:
    """What an author says about a new course before writing it."""

    slug: str
    title: str
    presenter: str
    credentials: str
    ce_hours: Decimal
    layout: str  # one of LAYOUTS


def check_slug(slug: str) -> str:
    """The slug, or StarterError saying what a course's folder name may be."""
    if not SLUG.match(slug):
        raise StarterError(
            f"'{slug}' cannot be a course's folder name: use lowercase letters, digits and "
            "single hyphens, e.g. mindful-self-care (it becomes the address /courses/<slug>)"
        )
    return slug


def check_line(value: str, what: str, max_length: int = 200) -> str:
    """One line of text, trimmed: not empty, not too long."""
    value = " ".join(value.split())
    if not value:
        raise StarterError(f"the {what} cannot be empty")
    if len(value) > max_length:
        raise StarterError(f"the {what} has {len(value)} characters; at most {max_length}")
    return value


def check_hours(value: str | Decimal) -> Decimal:
    """CE hours as course.yaml takes them: above 0, at most 100, in steps of 0.25."""
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        raise StarterError(f"CE hours must be a number such as 1 or 1.5, not '{value}'") from None
    if (
        not hours.is_finite()
        or not Decimal("0.25") <= hours <= MAX_HOURS
        or hours % Decimal("0.25")
    ):
        raise StarterError(
            f"CE hours must be from 0.25 to 100 in steps of 0.25 (1, 1.25, 1.5...), not '{value}'"
        )
    return hours.normalize() if hours == hours.to_integral() else hours


def yaml_text(value: str) -> str:
    """`value` as a YAML scalar: plain where YAML reads it back as the same text, else quoted."""
    plain = not re.search(r"[:#'\"\[\]{}&*!|>%@`,]|^[-?]|\s$", value)
    if plain and yaml.safe_load(f"k: {value}") == {"k": value}:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def silent_wav(seconds: int = 2, rate: int = 8000) -> bytes:
    """A short silent WAV (8-bit mono) for the audio example, until the real recording."""
    frames = b"\x80" * (seconds * rate)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        *(b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1, 1, rate, rate, 1, 8),
        *(b"data", len(frames)),
    )
    return header + frames


def check_free(courses_dir: Path, slug: str) -> Path:
    """The new course's folder, or StarterError when something is already there."""
    folder = courses_dir / slug
    if folder.exists():
        raise StarterError(
            f"{folder} already exists: choose another slug, or edit that course instead"
        )
    return folder


def write_course(courses_dir: Path, starter: Starter) -> list[Path]:
    """Write the new course's folder; return the files written (refuses an existing folder)."""
    check_slug(starter.slug)
    folder = check_free(courses_dir, starter.slug)
    texts = {
        "course.yaml": files.course_yaml(
            title=yaml_text(starter.title),
            presenter=yaml_text(starter.presenter),
            credentials=yaml_text(starter.credentials),
            hours=f"{starter.ce_hours}",
        ),
        "quiz.yaml": files.QUIZ_YAML,
        f"media/{HANDOUT_FILE}": files.HANDOUT_MD,
    }
    if starter.layout == "modules":
        texts["modules/01-the-core-idea.md"] = files.MODULE_ONE
        texts["modules/02-putting-it-into-practice.md"] = files.MODULE_TWO
    else:
        texts["lesson.md"] = files.LESSON_MD
    written = []
    (folder / "media").mkdir(parents=True)
    for name, text in texts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    audio = folder / "media" / AUDIO_FILE
    audio.write_bytes(silent_wav())
    written.append(audio)
    return sorted(written)
