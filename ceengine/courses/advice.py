"""Advice that saves a mistake: course files that load, but most likely not as the author meant.

Each is a warning in the same problem list as the mistakes (`courses check` prints them; a
page that shows the list shows them), with the file, the line and what to write instead.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ceengine.courses.estimate import Estimate, format_hours, format_minutes
from ceengine.courses.markup import section_address
from ceengine.courses.problems import Problems
from ceengine.courses.resources import RESOURCE_TYPES, media_content_type
from ceengine.courses.yamlfile import YamlSyntaxError, load_yaml

DEFAULT_READING_WPM = 200  # as config's CEENGINE_READING_WPM default
DEFAULT_CREDIT_MARGIN = 25  # as config's CEENGINE_CREDIT_MARGIN default
# The keys that give a data block away as a resource, whatever its fence says.
_RESOURCE_KEYS = {
    "video": {"provider", "channel", "speaker"},
    "audio": {"transcript"},
    "reading": {"author", "source", "url"},
    "exercise": {"steps", "reflection"},
}
_KEY = re.compile(r"^([a-z_]+):", re.MULTILINE)
# A title that numbers itself ("Module 2: ...", "Lesson IV - ...", "3. ..."): the pages number
# modules by their files, so a second numbering disagrees with it as soon as one is added.
NUMBERED_TITLE = re.compile(
    r"^(?:(?:module|lesson|unit|chapter|session|part|section|class)\s+"
    r"(?:\d+\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b"
    r"|[ivxlc]+\s*[.:\-\u2013\u2014])"
    r"|\d{1,2}\s*[.:)]|\d{1,2}\s+[\-\u2013\u2014]\s)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CreditRates:
    """How the credit estimate is worked out and how far `ce_hours` may exceed it."""

    reading_wpm: int = DEFAULT_READING_WPM
    margin_percent: int = DEFAULT_CREDIT_MARGIN


@dataclass(frozen=True)
class TitledCourse:
    """A course's title and where it is written, for the same-title warning."""

    slug: str
    title: str
    path: Path
    line: int
    checked: bool = True  # False: a course beside the one checked, named but not warned at


def same_titles(courses: Iterable[TitledCourse], problems: Problems) -> None:
    """Warn at each course whose title another course also has (a copied course, renamed
    in its folder only): the catalog, certificates and reports could not tell them apart."""
    groups: dict[str, list[TitledCourse]] = defaultdict(list)
    for course in courses:
        groups[" ".join(course.title.casefold().split())].append(course)
    for group in groups.values():
        for course in group if len(group) > 1 else ():
            if not course.checked:
                continue
            others = ", ".join(other.slug for other in group if other is not course)
            problems.warn(
                course.path,
                course.line,
                f"the course {others} has the same title, '{course.title}': learners, "
                "certificates and reports could not tell the two apart. Give each course its "
                f"own title, e.g. title: {course.title} (Part 2)",
            )


def numbered_titles(modules: list[dict], problems: Problems) -> None:
    """Warn at each module title that carries its own number (the `# ` line, line 1)."""
    for position, module in enumerate(modules, 1):
        numbered = NUMBERED_TITLE.match(module["title"])
        if numbered:
            title = module["title"][numbered.end() :].strip(" .:-)\u2013\u2014") or "A title"
            problems.warn(
                module["file"],
                1,
                f"module title '{module['title']}' carries its own number; pages show it as "
                f"'Module {position} of {len(modules)}' from the file order: "
                f"leave the number out of the title. Write it like this:\n    # {title}",
            )


def titles_beside(folders: Iterable[Path]) -> list[TitledCourse]:
    """The titles of courses beside the one checked (`courses check SLUG`), to compare with."""
    titled = []
    for folder in folders:
        try:
            data = load_yaml((folder / "course.yaml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlSyntaxError):
            continue  # its own check names what is wrong with it
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            titled.append(TitledCourse(folder.name, data["title"].strip(), folder, 1, False))
    return titled


def unused_media(media_dir: Path, modules: list[dict], problems: Problems) -> None:
    """Warn at each media file that no audio or handout block names (nor is the other
    format of a recording a block names)."""
    if not media_dir.is_dir():
        return
    used: set[str] = set()
    for module in modules:
        used.update(module.get("named_files", []))  # a block with a mistake names it too
        for block in module["blocks"]:
            media = block.get("media") or {}
            used.update([media.get("file", "")] + [twin["file"] for twin in block.get("also", [])])
    for path in sorted(media_dir.iterdir()):
        name = path.name
        if name in used or not path.is_file() or media_content_type(name) is None:
            continue  # dot files are ignored; other kinds are mistakes reported already
        kind = "audio" if media_content_type(name).startswith("audio/") else "handout"
        problems.warn(
            path,
            1,
            f"media file '{name}' is not used: no {kind} block in the lesson names it, so "
            f"learners never see it. Add a block where it belongs, e.g. ```{kind} with "
            f"file: {name} (and its title), or delete the file",
        )


def resource_in_disguise(info: str, body: str, path: Path, line: int, problems: Problems) -> None:
    """Warn at a fenced block the page shows as code that was most likely meant as a resource
    (```Video, ```vidoe, or ```yaml holding a resource's keys)."""
    name = info.strip().split(" ")[0] if info.strip() else ""
    meant = None
    if name and name.lower() in RESOURCE_TYPES:
        meant = name.lower()
    elif name:
        close = difflib.get_close_matches(name.lower(), RESOURCE_TYPES, n=1, cutoff=0.7)
        meant = close[0] if close else None
    if meant is None and name.lower() in ("", "yaml", "yml"):
        keys = set(_KEY.findall(body))
        meant = next((kind for kind, known in _RESOURCE_KEYS.items() if keys & known), None)
        meant = meant or ("handout" if "file" in keys and "title" in keys else None)
    if meant is None:
        return
    shown = f"```{name}" if name else "```"
    problems.warn(
        path,
        line,
        f"this block is shown as code, not as a {meant}: a resource block starts with "
        f"```{meant} exactly (lowercase), not {shown}. Write ```{meant} on this line",
    )


def closest_section(written: str | None, sections: dict[str, str]) -> str | None:
    """The heading address (of `sections`: address -> title) `written` most likely means."""
    if not written:
        return None  # no section at all: reported as required already
    if section_address(written) in sections:  # the heading's title, not its address
        return section_address(written)
    candidates = {address: address for address in sections}
    candidates.update({title.casefold(): address for address, title in sections.items()})
    close = difflib.get_close_matches(written.casefold(), list(candidates), n=1, cutoff=0.5)
    return candidates[close[0]] if close else None


def hours_advice(
    estimate: Estimate, rates: CreditRates, slug: str, path: Path, line: int, problems: Problems
) -> None:
    """Warn when `ce_hours` is more than the margin above what the lesson can justify."""
    if not estimate.declared_exceeds(rates.margin_percent):
        return
    suggested = max(estimate.rounded_hours, Decimal("0.25"))
    problems.warn(
        path,
        line,
        f"ce_hours {format_hours(estimate.declared_hours)} is "
        f"{estimate.difference_percent}% more than the estimated "
        f"{format_minutes(estimate.total_minutes)}, and CE hours may be at most "
        f"{rates.margin_percent}% above the estimate; see `ceengine courses "
        f"credit-estimate {slug}`. The lesson is shorter than its CE hours can justify: add "
        f"to it, or declare the time it takes, e.g. ce_hours: {suggested.normalize():f}",
    )
