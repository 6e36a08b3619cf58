"""`ceengine courses ...`: check, sync, print answer keys and credit estimates."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import ScriptInfo

# As a module: ceengine.preview imports the courses package, which imports this one.
import ceengine.preview as preview_server
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
from ceengine.courses.starter import (
    DEFAULT_HOURS,
    LAYOUTS,
    Starter,
    StarterError,
    check_free,
    check_hours,
    check_line,
    check_slug,
    write_course,
)
from ceengine.links import development_base_url

PREVIEW_PORT = 5001  # beside `ceengine run` and `make run` on 5000
DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Courses folder (default: COURSES_DIR, ./courses).",
)


def _courses_dir(path: str | None) -> Path:
    return Path(path or current_app.config["COURSES_DIR"])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _fail(error: CourseFormatError, warnings: bool = False) -> NoReturn:
    """Print the mistakes (then, with `warnings`, the warnings found beside them) and exit 1."""
    for problem in error.problems:
        click.echo(str(problem), err=True)
    shown = error.warnings if warnings else []
    if shown:
        click.echo("\nWarnings (they do not stop loading; fix the mistakes first):", err=True)
    for problem in shown:
        click.echo(str(problem), err=True)
    also = f" {_plural(len(shown), 'warning')}." if shown else ""
    click.echo(f"\n{_plural(len(error.problems), 'mistake')}: nothing was loaded.{also}", err=True)
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
        _fail(error, warnings=True)
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
        changes = sync_courses(_courses_dir(directory), audited=True)
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


def _answer(check: Callable[[str], object]) -> Callable:
    """A click callback that checks an option's value (a prompt asks again on a mistake)."""

    def callback(ctx: click.Context, param: click.Parameter, value: object) -> object:
        if value is None:
            return None
        try:
            return check(str(value))
        except StarterError as error:
            raise click.BadParameter(str(error)) from None

    return callback


def _free_slug(ctx: click.Context, param: click.Parameter, slug: str) -> str:
    """A valid slug whose folder does not exist yet, checked before any question is asked."""
    try:
        check_slug(slug)
        # Parameters are read before the command's app context exists: ask Flask's CLI.
        app = ctx.ensure_object(ScriptInfo).load_app()
        check_free(Path(ctx.params.get("directory") or app.config["COURSES_DIR"]), slug)
    except StarterError as error:
        raise click.BadParameter(str(error)) from None
    return slug


@bp.cli.command("new")
@click.argument("slug", callback=_free_slug)
@click.option("--title", prompt="Course title", callback=_answer(partial(check_line, what="title")))
@click.option(
    "--presenter",
    prompt="Presenter's name",
    callback=_answer(partial(check_line, what="presenter's name")),
)
@click.option(
    "--credentials",
    prompt="Presenter's credentials (e.g. PhD, LCSW)",
    callback=_answer(partial(check_line, what="presenter's credentials")),
)
@click.option(
    "--ce-hours",
    prompt="CE hours",
    default=f"{DEFAULT_HOURS}",
    show_default=True,
    callback=_answer(check_hours),
    help="What the starter's text justifies by default; more hours need a longer lesson.",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    prompt="Single page or modules",
    default=LAYOUTS[0],
    help="single-page (lesson.md) or modules (modules/01-....md).",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    is_eager=True,  # read before SLUG, which must not be a folder there yet
    help="Courses folder (default: COURSES_DIR, ./courses).",
)
def new_command(
    slug: str,
    title: str,
    presenter: str,
    credentials: str,
    ce_hours: Decimal,
    layout: str,
    directory: str | None,
) -> None:
    """Start course SLUG: a complete, unpublished folder with an example of every resource
    and quiz item type, which `courses check` passes."""
    courses_dir = _courses_dir(directory)
    starter = Starter(slug, title, presenter, credentials, ce_hours, layout)
    try:
        written = write_course(courses_dir, starter)
    except StarterError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {courses_dir / slug}/ (unpublished):")
    for path in written:
        click.echo(f"  {path.relative_to(courses_dir)}")
    _starter_warnings(courses_dir, slug)
    click.echo(
        f"\nNext: edit the files (each example says what it is), then\n"
        f"  ceengine courses preview {slug}    see it as learners will, with any mistakes\n"
        f"  ceengine courses check {slug}      the same checks, in the terminal\n"
        "and set `published: true` in course.yaml when it is ready to go live."
    )


def _starter_warnings(courses_dir: Path, slug: str) -> None:
    """Say what `courses check` will warn about in the new course (CE hours more than the
    starter's text justifies, too few quiz items for them) and why."""
    try:
        _, _, problems = check_library(courses_dir, only=slug)
    except CourseFormatError:
        return  # another course's file (sponsor.yaml) has a mistake: its check says so
    warnings = [p for p in problems.warnings if slug in Path(p.path).parts]
    if not warnings:
        return
    click.echo(
        f"\nThe starter's lesson and quiz justify about {DEFAULT_HOURS} CE hours, so until "
        "you add to them `courses check` warns:"
    )
    for warning in warnings:
        click.echo(f"  {warning}")


@bp.cli.command("preview")
@click.argument("slug", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=PREVIEW_PORT, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@DIR_OPTION
def preview_command(slug: str | None, port: int, host: str, directory: str | None) -> None:
    """Serve the working copy of the courses (or course SLUG) as learners will see it, on a
    temporary database: files are loaded again when they change, and mistakes are shown on
    the pages they concern. The real database is never opened."""
    courses_dir = _courses_dir(directory).resolve()
    if slug and not (courses_dir / slug).is_dir():
        raise click.ClickException(f"there is no course folder {courses_dir / slug}")
    with tempfile.TemporaryDirectory(prefix="ceengine-preview-") as database_dir:
        url = development_base_url(host, port)
        # The site as configured (keys, names, time zone), on a database of its own.
        settings = {**current_app.config, "DEV_SERVER_URL": url}
        app = preview_server.create_preview_app(
            courses_dir, Path(database_dir), only=slug, overrides=settings
        )
        server = preview_server.listen(app, host, port)
        start = f"{url}/courses/{slug}" if slug else f"{url}/"
        click.echo(f"Preview of {courses_dir} at {start} (not published; Ctrl+C stops it)")
        preview_server.serve(app, server)
