"""`ceengine courses ...`: check, sync, print answer keys and credit estimates."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app

from ceengine.courses import bp
from ceengine.courses.content import CourseContent
from ceengine.courses.estimate import estimate_rows
from ceengine.courses.format import CourseSpec, read_courses
from ceengine.courses.items import ITEM_TYPES, item_type
from ceengine.courses.problems import CourseFormatError
from ceengine.courses.services import (
    SyncConflict,
    answer_key,
    check_library,
    spec_estimate,
    sync_courses,
)
from ceengine.courses.sponsorfile import SPONSOR_FILE, SponsorSpec

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Courses folder (default: COURSES_DIR, ./courses).",
)


def _courses_dir(path: str | None) -> Path:
    return Path(path or current_app.config["COURSES_DIR"])


def _fail(error: CourseFormatError) -> NoReturn:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"\n{count} mistake{'s' if count != 1 else ''}: nothing was loaded.", err=True)
    sys.exit(1)


def _sponsor_summary(spec: SponsorSpec) -> str:
    approvals = spec.sponsor.approvals
    if not approvals:
        return (
            f"ok  {SPONSOR_FILE}: no approvals (every certificate is a Certificate of Completion)"
        )
    listed = "; ".join(
        f"{a.id}: {a.short}" + (f", until {a.ends.isoformat()}" if a.ends else "")
        for a in approvals
    )
    count = len(approvals)
    return f"ok  {SPONSOR_FILE}: {count} approval{'s' if count != 1 else ''} ({listed})"


def _summary(spec: CourseSpec) -> str:
    course = CourseContent.from_json(spec.content)
    hours = course.ce_hours
    per_hour = len(spec.items) / float(hours)
    kinds = ", ".join(
        f"{sum(item['kind'] == name for item in spec.items)} {kind.summary_name}"
        for name, kind in ITEM_TYPES.items()
    )
    layout = "single page" if course.single_page else f"{len(course.modules)} modules"
    return (
        f"ok  {spec.slug}: {layout}, {hours.normalize():f} CE hours, "
        f"{len(spec.items)} quiz items ({kinds}; {per_hour:.1f} per CE hour), "
        f"pass mark {course.quiz_policy.pass_threshold}%"
    )


@bp.cli.command("check")
@click.argument("slug", required=False)
@DIR_OPTION
def check_command(slug: str | None, directory: str | None) -> None:
    """Validate course files; exit 1 naming file, line and reason for each mistake."""
    try:
        specs, sponsor, problems = check_library(_courses_dir(directory), only=slug)
    except CourseFormatError as error:
        _fail(error)
    for warning in problems.warnings:
        click.echo(str(warning), err=True)
    click.echo(_sponsor_summary(sponsor))
    for spec in specs:
        click.echo(_summary(spec))
    click.echo(f"{len(specs)} course{'s' if len(specs) != 1 else ''} checked, no mistakes.")


@bp.cli.command("sync")
@DIR_OPTION
def sync_command(directory: str | None) -> None:
    """Load courses into the database; a changed course becomes a new version."""
    try:
        changes = sync_courses(_courses_dir(directory))
    except CourseFormatError as error:
        _fail(error)
    except SyncConflict as error:
        raise click.ClickException(str(error)) from error
    for change in changes:
        click.echo(str(change))
    count = sum(change.slug != SPONSOR_FILE for change in changes)
    click.echo(f"{count} course{'s' if count != 1 else ''} synced.")


@bp.cli.command("answer-key")
@click.argument("slug")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text"]),
    default="text",
    show_default=True,
    help="json for machines, text for people.",
)
@DIR_OPTION
def answer_key_command(slug: str, output: str, directory: str | None) -> None:
    """Print the quiz answer key of course SLUG (as accreditors ask for it)."""
    try:
        specs, _ = read_courses(_courses_dir(directory), only=slug)
    except CourseFormatError as error:
        _fail(error)
    items = specs[0].items
    if output == "json":
        click.echo(json.dumps(answer_key(items), indent=2, ensure_ascii=False))
        return
    for number, item in enumerate(items, start=1):
        answer = item_type(item["kind"]).label(item["options"], item["answer"])
        click.echo(f"{number}. {item['statement']}\n   Answer: {answer}")


@bp.cli.command("credit-estimate")
@click.argument("slug", required=False)
@DIR_OPTION
def credit_estimate_command(slug: str | None, directory: str | None) -> None:
    """Estimate each course's time from its words, media, exercises and quiz; compare with
    its CE hours."""
    courses_dir = _courses_dir(directory)
    try:
        specs, _ = read_courses(courses_dir, only=slug)
    except CourseFormatError as error:
        _fail(error)
    for number, spec in enumerate(specs):
        rows = estimate_rows(spec_estimate(courses_dir, spec))
        width = max(len(label) for label, _ in rows)
        if number:
            click.echo()
        click.echo(f"{spec.content['title']} ({spec.slug})")
        for label, value in rows:
            click.echo(f"  {label:<{width}}  {value}")
