"""Reading a course folder (`courses/<slug>/`) into checked, page-ready data."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ceengine.courses.advice import (
    CreditRates,
    TitledCourse,
    closest_section,
    hours_advice,
    numbered_titles,
    same_titles,
    titles_beside,
    unused_media,
)
from ceengine.courses.audio import audio_seconds
from ceengine.courses.cebrokerfile import read_ce_broker_course
from ceengine.courses.content import (
    DEFAULT_FORMAT,
    CertificateTerms,
    CourseContent,
    EvaluationSettings,
    QuizPolicy,
    ReflectionSettings,
)
from ceengine.courses.estimate import audio_files, estimate_course, lesson_words
from ceengine.courses.fields import Fields
from ceengine.courses.lesson import read_lesson
from ceengine.courses.markup import render_markdown
from ceengine.courses.problems import CourseFormatError, Problems
from ceengine.courses.quizfile import quiz_advice, read_quiz
from ceengine.courses.resources import check_media_folder
from ceengine.courses.sponsorfile import (
    SponsorSpec,
    check_claims,
    credit_advice,
    read_credit,
    read_sponsor,
)
from ceengine.courses.yamlfile import YamlSyntaxError, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
LEVELS = ("introductory", "intermediate", "advanced")
COURSE_KEYS = {
    "title",
    "summary",
    "description",
    "presenters",
    "objectives",
    "ce_hours",
    "level",
    "audience",
    "format",
    "published",
    "certificate",
    "quiz",
    "references",
    "evaluation",
    "reflections",
    "credit",
    "not_approved_by",
    "ce_broker_course",
}
QUIZ_KEYS = {
    "pass_threshold",
    "max_attempts",
    "wait_minutes",
    "minimum_minutes",
    "shuffle",
    "feedback",
}
CERTIFICATE_KEYS = {"fee", "currency", "license_details"}
REFLECTION_KEYS = {"enabled", "prompt", "moderation"}
# Where a key found at the top of course.yaml belongs when it was indented too little.
NESTED_HOMES = {
    **{key: "quiz" for key in QUIZ_KEYS},
    **{key: "certificate" for key in CERTIFICATE_KEYS},
    **{key: "reflections" for key in REFLECTION_KEYS},
    "required": "evaluation",
}
MAX_MINUTES = Decimal(525600)  # a year: a longer wait or study time is a typing mistake


@dataclass
class CourseSpec:
    """One course as read from its folder: what sync stores and pages show."""

    slug: str
    content: dict
    items: list[dict]
    content_hash: str
    published: bool
    warnings: list = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # where title and ce_hours are written


def content_hash(folder: Path) -> str:
    """SHA-256 over every file's path and bytes: any change makes a new version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(os.fsencode(path.relative_to(folder)) + b"\0")  # any name the disk has
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _presenters(meta: Fields) -> list[dict]:
    result = []
    for line, entry in meta.items("presenters"):
        f = Fields(
            entry, meta.path, meta.problems, "presenter", {"name", "credentials", "bio"}, line=line
        )
        result.append(
            {
                "name": f.text("name"),
                "credentials": f.text("credentials"),
                "bio_html": render_markdown(f.text("bio") or ""),
            }
        )
    if not result and "presenters" in meta.data:
        meta.error("presenters", "course.yaml: 'presenters' needs at least one presenter")
    return result


FEEDBACK = ("after_pass", "none", "full", "right_wrong")
REVEALING_FEEDBACK = ("full", "right_wrong")  # show items before a pass


def _feedback(q: Fields, ce_hours: Decimal | None) -> str:
    """`after_pass` (default) or `none`; the older values reveal the key before a pass."""
    value = q.choice("feedback", FEEDBACK, QuizPolicy().feedback)
    if value in REVEALING_FEEDBACK and ce_hours:
        q.error(
            "feedback",
            f"quiz: 'feedback: {value}' shows which answers were right before "
            "a learner passes, so a course that grants CE credit could be "
            "passed by retaking with the key; use 'feedback: after_pass' "
            "(every item explained once the learner passes or has no attempt "
            "left) or 'feedback: none'",
        )
    return value


def _minimum_minutes(q: Fields) -> int:
    """Minutes from first opening the course before the quiz can be scored (0: no minimum)."""
    default = Decimal(QuizPolicy().minimum_minutes)
    number = q.number("minimum_minutes", default, Decimal(0), MAX_MINUTES)
    if number != int(number):
        q.error("minimum_minutes", "quiz: 'minimum_minutes' must be a whole number of minutes")
        return int(default)
    return int(number)


def _quiz_policy(meta: Fields, ce_hours: Decimal | None) -> dict:
    q = meta.sub("quiz", "quiz", QUIZ_KEYS)
    default = QuizPolicy()
    attempts = q.data.get("max_attempts", "unlimited")
    if attempts == "unlimited":
        max_attempts = default.max_attempts
    else:
        number = q.number("max_attempts", default=Decimal(1), minimum=Decimal(1))
        max_attempts = int(number)
        if number != max_attempts:
            q.error("max_attempts", "quiz: 'max_attempts' must be a whole number or unlimited")
    return {
        "pass_threshold": int(
            q.number("pass_threshold", Decimal(default.pass_threshold), Decimal(1), Decimal(100))
        ),
        "max_attempts": max_attempts,
        "wait_minutes": int(
            q.number("wait_minutes", Decimal(default.wait_minutes), Decimal(0), MAX_MINUTES)
        ),
        "minimum_minutes": _minimum_minutes(q),
        "shuffle": q.flag("shuffle", default.shuffle),
        "feedback": _feedback(q, ce_hours),
    }


def _certificate(meta: Fields) -> dict:
    c = meta.sub("certificate", "certificate", CERTIFICATE_KEYS)
    default = CertificateTerms()
    fee = c.number("fee", Decimal(default.fee_cents) / 100, Decimal(0), Decimal(10000))
    currency = c.text("currency", required=False, default=default.currency).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        c.error(
            "currency",
            f"certificate: 'currency' must be a 3-letter code like usd, not '{currency}'",
        )
    if fee != fee.quantize(Decimal("0.01")):
        c.error("fee", "certificate: 'fee' can have at most two decimal places")
    license_details = c.choice(
        "license_details", ("none", "optional", "required"), default.license_details
    )
    return {"fee_cents": int(fee * 100), "currency": currency, "license_details": license_details}


def _evaluation(meta: Fields) -> dict:
    e = meta.sub("evaluation", "evaluation", {"required"})
    return {"required": e.flag("required", EvaluationSettings().required)}


def _reflections(meta: Fields) -> dict:
    r = meta.sub("reflections", "reflections", REFLECTION_KEYS)
    default = ReflectionSettings()
    return {
        "enabled": r.flag("enabled", default.enabled),
        "prompt": r.text("prompt", required=False, max_length=200, default=default.prompt),
        "moderation": r.flag("moderation", default.moderation),
    }


def _read_meta(folder: Path, problems: Problems) -> dict | None:
    path = folder / "course.yaml"
    if not path.is_file():
        problems.add(path, 1, "course.yaml is missing")
        return None
    try:
        data = load_yaml(
            path.read_text(encoding="utf-8"), warn=lambda n, m: problems.warn(path, n, m)
        )
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, exc.message)
        return None
    except UnicodeDecodeError:
        problems.add(path, 1, "course.yaml is not UTF-8 text: save it as UTF-8")
        return None
    meta = Fields(data, path, problems, "course.yaml", COURSE_KEYS, homes=NESTED_HOMES)
    hours = meta.number("ce_hours", minimum=Decimal("0.25"), maximum=Decimal(100), required=True)
    if hours is not None and hours % Decimal("0.25"):
        meta.error("ce_hours", "course.yaml: 'ce_hours' must be in steps of 0.25")
    return {
        "title": meta.text("title", max_length=200),
        "summary": meta.text("summary", max_length=200),
        "description_html": render_markdown(meta.text("description") or ""),
        "presenters": _presenters(meta),
        "objectives": meta.texts("objectives"),
        "ce_hours": str(hours or 0),
        "level": meta.choice("level", LEVELS, "introductory"),
        "audience": meta.text("audience"),
        "format": meta.text("format", required=False, default=DEFAULT_FORMAT),
        "published": meta.flag("published", True),
        "certificate": _certificate(meta),
        "quiz_policy": _quiz_policy(meta, hours),
        "evaluation": _evaluation(meta),
        "reflections": _reflections(meta),
        "references": meta.texts("references", required=False),
        "credits": read_credit(meta, hours),
        "not_approved_by": meta.texts("not_approved_by", required=False),
        "ce_broker_course": read_ce_broker_course(meta),
        "lines": {"title": meta.line("title"), "ce_hours": meta.line("ce_hours")},
    }


def _read_modules(folder: Path, problems: Problems) -> list[dict]:
    lesson, modules_dir = folder / "lesson.md", folder / "modules"
    media = folder / "media"
    if lesson.exists() and modules_dir.exists():
        problems.add(lesson, 1, "a course has either lesson.md or modules/, not both")
    if lesson.is_file():
        module = read_lesson(lesson, media, problems, module=False)
        return [{**module, "slug": "lesson", "title": "Lesson", "file": lesson}]
    if not modules_dir.is_dir():
        problems.add(folder / "lesson.md", 1, "the course needs lesson.md or a modules/ folder")
        return []
    modules, numbers = [], set()
    for path in sorted(modules_dir.iterdir(), key=lambda p: p.name):
        match = MODULE_FILE.match(path.name)
        if not match:
            problems.add(
                path,
                1,
                "module files are named like '01-overview.md' "
                "(number, hyphen, lowercase words, .md)",
            )
            continue
        if int(match.group(1)) in numbers:
            problems.add(path, 1, f"two module files share the number {match.group(1)}")
        numbers.add(int(match.group(1)))
        modules.append(
            {
                **read_lesson(path, media, problems, module=True),
                "slug": match.group(2),
                "order": int(match.group(1)),
                "file": path,
            }
        )
    if not modules:
        problems.add(modules_dir, 1, "modules/ has no module files")
    modules.sort(key=lambda m: m["order"])
    numbered_titles(modules, problems)
    return modules


def _link_sections(
    modules: list[dict], items: list[dict], quiz_path: Path, problems: Problems
) -> None:
    """Sections are unique in the course; each quiz item names one and learns its module."""
    where: dict[str, str] = {}
    titles: dict[str, str] = {}
    slugs = [m["slug"] for m in modules]
    for module in modules:
        if slugs.count(module["slug"]) > 1:
            problems.add(module["file"], 1, f"two modules are both named '{module['slug']}'")
        for section in module["sections"]:
            if section["id"] in where:
                problems.add(
                    module["file"],
                    section["line"],
                    f"section '{section['title']}' has the address '{section['id']}', "
                    "already used by another heading; section headings must differ",
                )
            where[section["id"]] = module["slug"]
            titles[section["id"]] = section["title"]
    for item in items:
        if item["section"] is None:
            pass  # no section written: reported as required already
        elif item["section"] not in where:
            known = ", ".join(sorted(where)) or "none"
            closest = closest_section(item["section"], titles)
            advice = (
                f"Did you mean section: {closest} (the heading '## {titles[closest]}')? "
                if closest
                else ""
            )
            problems.add(
                quiz_path,
                item["line"],
                f"item '{item['key']}': section '{item['section']}' is not a '## ' "
                f"heading in the lesson. {advice}A section is written as its heading's "
                f"address (headings: {known})",
            )
        item["module"] = where.get(item["section"])


def _page_ready(modules: list[dict]) -> list[dict]:
    """Drop what only the checker needs (paths, lines) so the content is plain JSON."""
    return [
        {
            "slug": m["slug"],
            "title": m["title"],
            "blocks": m["blocks"],
            "sections": [{"id": s["id"], "title": s["title"]} for s in m["sections"]],
        }
        for m in modules
    ]


def read_course(
    folder: Path,
    problems: Problems,
    sponsor: SponsorSpec | None = None,
    rates: CreditRates | None = None,
) -> CourseSpec | None:
    """Read and check one course folder against the sponsor's approvals; None on mistakes.

    The content carries the audio lengths and lesson words the credit estimate needs."""
    before = len(problems.errors)
    if not SLUG.match(folder.name):
        problems.add(
            folder,
            1,
            f"course folder '{folder.name}' must be lowercase letters, "
            "digits and hyphens (it becomes the address)",
        )
    meta = _read_meta(folder, problems)
    modules = _read_modules(folder, problems)
    check_media_folder(folder / "media", problems)
    unused_media(folder / "media", modules, problems)
    items = read_quiz(folder / "quiz.yaml", problems)
    _link_sections(modules, items, folder / "quiz.yaml", problems)
    approvals = sponsor.sponsor if sponsor else SponsorSpec.empty().sponsor
    if meta is not None:
        check_claims(
            folder / "course.yaml", problems, meta["credits"], meta["not_approved_by"], approvals
        )
    if meta is None or len(problems.errors) > before:
        return None
    threshold = meta["quiz_policy"]["pass_threshold"]
    if meta["credits"]:
        credit_advice(
            folder / "quiz.yaml",
            problems,
            meta["credits"],
            approvals,
            [item["kind"] for item in items],
            threshold,
        )
    else:
        quiz_advice(
            folder / "quiz.yaml", problems, len(items), Decimal(meta["ce_hours"]), threshold
        )
    for claim in meta["credits"]:
        claim.pop("line")
    published, lines = meta.pop("published"), meta.pop("lines")
    content = {
        "slug": folder.name,
        **meta,
        "single_page": (folder / "lesson.md").is_file(),
        "modules": _page_ready(modules),
    }
    _measure(folder, content, len(items), rates or CreditRates(), problems, lines["ce_hours"])
    for item in items:
        item.pop("line")
    return CourseSpec(folder.name, content, items, content_hash(folder), published, lines=lines)


def _measure(
    folder: Path, content: dict, items: int, rates: CreditRates, problems: Problems, line: int
) -> None:
    """Store how long each audio file plays and the lesson's words (so pages showing the credit
    estimate never open media files nor count words); warn if ce_hours claims too much."""
    course = CourseContent.from_json(content)
    content["audio_seconds"] = audio_seconds(folder / "media", audio_files(course))
    content["lesson_words"] = lesson_words(course)
    course = CourseContent.from_json(content)
    estimate = estimate_course(course, items, content["audio_seconds"], rates.reading_wpm)
    hours_advice(estimate, rates, folder.name, folder / "course.yaml", line, problems)


def course_folders(courses_dir: Path) -> list[Path]:
    """Every course folder (ignores files and folders starting with '.' or '_')."""
    return sorted(
        p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def read_library(
    courses_dir: Path,
    only: str | None = None,
    today: date | None = None,
    rates: CreditRates | None = None,
) -> tuple[list[CourseSpec], SponsorSpec, Problems]:
    """Read sponsor.yaml and every course (or only `only`), checked against each other on
    `today` (approval periods) and the credit `rates`; raise CourseFormatError listing every
    mistake if any. The problems returned hold the warnings."""
    problems = Problems(root=courses_dir)
    if not courses_dir.is_dir():
        problems.add(courses_dir, 1, "the courses folder does not exist")
        raise CourseFormatError(problems.errors)
    sponsor = read_sponsor(courses_dir, problems, today or date.today())
    folders = course_folders(courses_dir)
    if only:
        folders = [f for f in folders if f.name == only]
        if not folders:
            problems.add(courses_dir / only, 1, f"there is no course folder '{only}'")
    specs = [read_course(folder, problems, sponsor, rates) for folder in folders]
    specs = [s for s in specs if s]
    library_advice(courses_dir, specs, only, problems)
    if problems.errors:
        raise CourseFormatError(sorted(problems.errors), sorted(problems.warnings))
    return specs, sponsor, problems


def library_advice(
    courses_dir: Path, specs: list[CourseSpec], only: str | None, problems: Problems
) -> None:
    """Warnings that compare courses with each other (two with one title); checking only
    `only`, the courses beside it are compared too."""
    titled = [
        TitledCourse(
            s.slug, s.content["title"], courses_dir / s.slug / "course.yaml", s.lines["title"]
        )
        for s in specs
    ]
    beside = [folder for folder in course_folders(courses_dir) if only and folder.name != only]
    same_titles(titled + titles_beside(beside), problems)


def read_courses(
    courses_dir: Path, only: str | None = None, today: date | None = None
) -> tuple[list[CourseSpec], Problems]:
    """Read every course (see `read_library`), without the sponsor."""
    specs, _, problems = read_library(courses_dir, only, today)
    return specs, problems
