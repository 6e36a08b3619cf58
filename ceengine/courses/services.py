"""Loading courses into the database, and finding them for pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ceengine.audit import trail as audit
from ceengine.courses.advice import CreditRates
from ceengine.courses.approvals import CourseCredits, Sponsor, course_credits
from ceengine.courses.content import CourseContent
from ceengine.courses.estimate import Estimate, estimate_course
from ceengine.courses.format import CourseSpec, read_library
from ceengine.courses.items import item_type
from ceengine.courses.models import Course, CourseVersion, QuizItem, SponsorVersion
from ceengine.courses.problems import Problems
from ceengine.courses.snapshots import app_cache
from ceengine.courses.sponsorfile import SPONSOR_FILE, SponsorSpec
from ceengine.extensions import db
from ceengine.localtime import today


class SyncConflict(Exception):
    """Another sync changed the same course at the same moment."""


@dataclass(frozen=True)
class SyncChange:
    """What sync did to one course."""

    slug: str
    action: str  # "added", "new version", "unchanged", "restored version", "unpublished"
    version: int | None

    @property
    def what(self) -> str:
        """The action, with the version it made or restored: "new version (version 3)"."""
        return f"{self.action} (version {self.version})" if self.version else self.action

    def __str__(self) -> str:
        return f"{self.slug}: {self.what}"


def _new_version(course: Course, spec: CourseSpec) -> CourseVersion:
    number = (
        db.session.scalar(
            sa.select(sa.func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id)
        )
        or 0
    ) + 1
    typed = CourseContent.from_json(spec.content)
    version = CourseVersion(
        course=course,
        number=number,
        content_hash=spec.content_hash,
        title=typed.title,
        summary=typed.summary,
        ce_hours=typed.ce_hours,
        pass_threshold=typed.quiz_policy.pass_threshold,
        content=spec.content,
    )
    version.items = [
        QuizItem(
            key=item["key"],
            position=position,
            kind=item["kind"],
            statement=item["statement"],
            options=item["options"],
            answer=item["answer"],
            explanation=item["explanation"],
            section=item["section"],
            module=item["module"],
        )
        for position, item in enumerate(spec.items, start=1)
    ]
    db.session.add(version)
    return version


def _sync_one(spec: CourseSpec) -> SyncChange:
    course = db.session.scalar(sa.select(Course).where(Course.slug == spec.slug))
    if course is None:
        course = Course(slug=spec.slug)
        db.session.add(course)
        db.session.flush()
    course.published = spec.published
    version = db.session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.content_hash == spec.content_hash
        )
    )
    if version is not None and course.current_version_id == version.id:
        return SyncChange(spec.slug, "unchanged", version.number)
    action = (
        "restored version"
        if version
        else "added"
        if not course.current_version_id
        else "new version"
    )
    version = version or _new_version(course, spec)
    db.session.flush()
    course.current_version = version
    return SyncChange(spec.slug, action, version.number)


def _latest_sponsor_version() -> SponsorVersion | None:
    return db.session.scalar(
        sa.select(SponsorVersion).order_by(SponsorVersion.number.desc()).limit(1)
    )


def _sync_sponsor(spec: SponsorSpec) -> SyncChange:
    latest = _latest_sponsor_version()
    if latest is not None and latest.content_hash == spec.content_hash:
        return SyncChange(SPONSOR_FILE, "unchanged", latest.number)
    number = (latest.number if latest else 0) + 1
    db.session.add(
        SponsorVersion(
            number=number, content_hash=spec.content_hash, content=spec.sponsor.to_json()
        )
    )
    db.session.flush()
    return SyncChange(SPONSOR_FILE, "new version" if latest else "added", number)


def sync_courses(
    courses_dir: Path, day: date | None = None, *, audited: bool = False
) -> list[SyncChange]:
    """Load sponsor.yaml and every course folder into the database in one transaction (all or
    nothing), checked on `day` (approval periods; default: the sponsor's today). `audited`
    (`ceengine courses sync`): what changed is written to the audit trail in that transaction."""
    specs, sponsor, _ = read_library(
        courses_dir, today=day or sponsor_today(), rates=credit_rates()
    )
    return store_courses(courses_dir, specs, sponsor, audited=audited)


def store_courses(
    courses_dir: Path,
    specs: list[CourseSpec],
    sponsor: SponsorSpec | None,
    keep: Iterable[str] = (),
    *,
    audited: bool = False,
) -> list[SyncChange]:
    """Store checked courses (and the sponsor's approvals, unless None) in one transaction.

    Each spec's content carries its audio lengths and lesson words, measured as it was read,
    so pages that show the credit estimate never open media files nor count words.
    A published course missing from `specs` is unpublished, unless its slug is in `keep`
    (the preview keeps the last good version of a course whose folder has mistakes)."""
    try:
        changes = [_sync_sponsor(sponsor)] if sponsor is not None else []
        changes += [_sync_one(spec) for spec in specs]
        on_disk = {spec.slug for spec in specs} | set(keep)
        for course in db.session.scalars(sa.select(Course).where(Course.published)):
            if course.slug not in on_disk:
                course.published = False
                changes.append(SyncChange(course.slug, "unpublished", None))
        changed = {c.slug: c.what for c in changes if c.action != "unchanged"}
        if audited and changed:
            audit.record("courses_synced", "courses", after=changed)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise SyncConflict(
            "another sync changed the courses at the same time; run `ceengine courses sync` again"
        ) from exc
    return changes


def current_estimates(reading_wpm: int) -> dict[int, Estimate]:
    """The credit estimate of each course's current version, by course id."""
    items = (
        sa.select(sa.func.count(QuizItem.id))
        .where(QuizItem.version_id == CourseVersion.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Course.id, CourseVersion.content, items).join(
            CourseVersion, CourseVersion.id == Course.current_version_id
        )
    )
    estimates = {}
    for course_id, content, items in rows:
        course = CourseContent.from_json(content)
        estimates[course_id] = estimate_course(course, items, course.audio_seconds, reading_wpm)
    return estimates


def published_versions() -> list[CourseVersion]:
    """The current version of every published course, for the catalog."""
    return list(
        db.session.scalars(
            sa.select(CourseVersion)
            .join(Course, Course.current_version_id == CourseVersion.id)
            .where(Course.published)
            .order_by(CourseVersion.title)
        )
    )


def is_published(slug: str) -> bool:
    """Whether `slug` is a published course (without loading its content)."""
    return bool(
        db.session.scalar(sa.select(Course.id).where(Course.slug == slug, Course.published))
    )


# Built once: every course, module and quiz page runs it, and building a statement costs as
# much as running it.
_CURRENT_VERSION = (
    sa.select(CourseVersion)
    .join(Course, Course.current_version_id == CourseVersion.id)
    .where(Course.slug == sa.bindparam("slug"), Course.published)
)


def current_version(slug: str) -> CourseVersion | None:
    """The current version of the published course `slug`, or None."""
    return db.session.scalar(_CURRENT_VERSION, {"slug": slug})


def answer_key(items: list[dict]) -> list[dict]:
    """The quiz's answer key as accreditors ask for it, each answer as its item type gives it."""
    return [
        {
            "number": number,
            "id": item["key"],
            "type": item["kind"],
            "statement": item["statement"],
            "answer": item_type(item["kind"]).key_answer(item["answer"]),
            "options": item["options"],
            "section": item["section"],
        }
        for number, item in enumerate(items, start=1)
    ]


def sponsor_today() -> date:
    """Today in the sponsor's calendar (CEENGINE_TIMEZONE)."""
    return today()


def spec_estimate(courses_dir: Path, spec: CourseSpec) -> Estimate:
    """The credit estimate of a course as read from its folder (audio measured as it was read)."""
    course = CourseContent.from_json(spec.content)
    return estimate_course(
        course, len(spec.items), course.audio_seconds, current_app.config["READING_WPM"]
    )


def credit_rates() -> CreditRates:
    """The reading rate and margin `courses check` judges `ce_hours` by (the settings)."""
    return CreditRates(current_app.config["READING_WPM"], current_app.config["CREDIT_MARGIN"])


def check_library(
    courses_dir: Path, only: str | None = None
) -> tuple[list[CourseSpec], SponsorSpec, Problems]:
    """What `courses check` reports: read every course (or `only`) on the sponsor's today with
    the credit settings; the problems hold every warning (CourseFormatError on mistakes)."""
    return read_library(courses_dir, only=only, today=sponsor_today(), rates=credit_rates())


_SPONSORS = "ceengine.sponsors"  # (sponsor version id, hash) -> Sponsor, per app
_NEWEST_SPONSOR = (
    sa.select(SponsorVersion.id, SponsorVersion.content_hash)
    .order_by(SponsorVersion.number.desc())
    .limit(1)
)


def current_sponsor() -> Sponsor:
    """The approvals of the newest synced sponsor.yaml (none before the first sync)."""
    return sponsor_in_force()[1]


def sponsor_in_force() -> tuple[tuple[int, str] | None, Sponsor]:
    """(the newest sponsor version's id and hash, its approvals); (None, none) before a sync.

    A sponsor version never changes once stored, so its approvals are read and built once
    per process; each call still asks which version is newest (one small indexed query), so
    a sync is in force on the next request.
    """
    latest = db.session.execute(_NEWEST_SPONSOR).first()
    if latest is None:
        return None, Sponsor.from_json(None)
    key = (latest.id, latest.content_hash)
    sponsor = app_cache(_SPONSORS, 4).get(
        key,
        lambda: Sponsor.from_json(
            db.session.scalar(
                sa.select(SponsorVersion.content).where(SponsorVersion.id == latest.id)
            )
        ),
    )
    return key, sponsor


def credits_on(version: CourseVersion, day: date, sponsor: Sponsor | None = None) -> CourseCredits:
    """The credit a course version carries on `day` under the sponsor's current approvals."""
    course = version.spec
    return course_credits(
        sponsor if sponsor is not None else current_sponsor(),
        course.credit_claims,
        course.not_approved_by,
        day,
    )
