"""The courses folder as an author's working copy: read course by course, mistakes and all.

`courses check` and `courses sync` refuse the whole library at the first mistake (nothing is
loaded); the preview instead loads every course that reads cleanly and keeps the mistakes of
the others, with file and line, to show on the pages they concern.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ceengine.courses.format import CourseSpec, course_folders, library_advice, read_course
from ceengine.courses.problems import Problem, Problems
from ceengine.courses.services import SyncChange, credit_rates, sponsor_today, store_courses
from ceengine.courses.sponsorfile import SPONSOR_FILE, SponsorSpec, read_sponsor


@dataclass
class WorkingCopy:
    """What the courses folder holds now: the courses that read cleanly, and every problem."""

    specs: list[CourseSpec] = field(default_factory=list)
    sponsor: SponsorSpec | None = None  # None: sponsor.yaml has a mistake
    slugs: list[str] = field(default_factory=list)  # every course folder read
    problems: list[Problem] = field(default_factory=list)

    @property
    def broken(self) -> list[str]:
        """The course folders with a mistake (not loaded until it is fixed)."""
        loaded = {spec.slug for spec in self.specs}
        return [slug for slug in self.slugs if slug not in loaded]


def folder_fingerprint(courses_dir: Path, only: str | None = None) -> str:
    """A digest of every file's name, size and modification time under the courses folder
    (or only sponsor.yaml and course `only`): it changes whenever an author saves a file."""
    digest = hashlib.sha256()
    roots = [courses_dir / SPONSOR_FILE, courses_dir / only] if only else [courses_dir]
    for root in roots:
        for folder, dirs, files in os.walk(root) if root.is_dir() else [("", [], [root])]:
            dirs.sort()
            for name in sorted(files):
                path = Path(folder, name)
                try:
                    stat = path.stat()
                except OSError:
                    continue  # removed while walking: the next request sees it gone
                digest.update(
                    os.fsencode(path) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
                )
    return digest.hexdigest()


def read_working_copy(courses_dir: Path, only: str | None = None) -> WorkingCopy:
    """Read sponsor.yaml and each course folder (or only `only`) on their own, so one
    course's mistakes never hide the others."""
    problems = Problems(root=courses_dir)
    if not courses_dir.is_dir():
        problems.add(courses_dir, 1, "the courses folder does not exist")
        return WorkingCopy(problems=problems.items)
    before = len(problems.errors)
    sponsor = read_sponsor(courses_dir, problems, sponsor_today())
    copy = WorkingCopy(sponsor=sponsor if len(problems.errors) == before else None)
    folders = course_folders(courses_dir)
    if only:
        folders = [f for f in folders if f.name == only]
        if not folders:
            problems.add(courses_dir / only, 1, f"there is no course folder '{only}'")
    for folder in folders:
        copy.slugs.append(folder.name)
        spec = read_course(folder, problems, sponsor, credit_rates())
        if spec is not None:
            spec.published = True  # the preview shows every course, published or not
            copy.specs.append(spec)
    library_advice(courses_dir, copy.specs, only, problems)
    copy.problems = sorted(problems.errors) + sorted(problems.warnings)  # mistakes first
    return copy


def load_working_copy(courses_dir: Path, copy: WorkingCopy) -> list[SyncChange]:
    """Store the courses that read cleanly; a course with mistakes keeps its last good
    version (and sponsor.yaml with a mistake, its last good approvals)."""
    return store_courses(courses_dir, copy.specs, copy.sponsor, keep=copy.broken)


def problem_place(problem: Problem, courses_dir: Path) -> tuple[str | None, str | None]:
    """The course folder and the file within it (`course.yaml`, `quiz.yaml`, `lesson.md`,
    `modules/02-name.md`, `media/x.mp3`) a problem concerns; (None, None) for sponsor.yaml
    and the folder itself."""
    parts = PurePosixPath(Path(problem.path).as_posix()).parts
    base = (
        len(PurePosixPath(courses_dir.as_posix()).parts) if Path(problem.path).is_absolute() else 1
    )
    rest = parts[base:]
    if not rest or rest[0] == SPONSOR_FILE:
        return None, None
    return rest[0], "/".join(rest[1:]) or None
