"""`ceengine admin …`: admin accounts and rebuilding the running totals."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from ceengine.admin import bp
from ceengine.admin.accounts import AccountError, create_admin, reset_two_factor, set_password
from ceengine.admin.packet import write_packet
from ceengine.admin.purge import PurgeRefused, purge
from ceengine.admin.recount import recount_totals
from ceengine.courses import bp as courses_bp
from ceengine.courses.cli import DIR_OPTION
from ceengine.courses.format import read_library
from ceengine.courses.problems import CourseFormatError
from ceengine.courses.services import sponsor_today


def _read_password() -> str:
    """From a prompt (typed twice, hidden) on a terminal; else the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@bp.cli.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["owner", "staff", "reviewer"]),
    default="owner",
    show_default=True,
    help="owner: everything; staff: all but accounts; reviewer: read-only.",
)
def create_user(email: str, role: str) -> None:
    """Create an admin who can sign in at /admin/login.

    The password is asked for twice on a terminal, or read from the first line of standard
    input otherwise (for scripts): echo "$PASSWORD" | ceengine admin create-user EMAIL
    Owners set up two-factor sign-in at their first sign-in.
    """
    try:
        user = create_admin(email, _read_password(), role)
    except AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"Created admin {user.email} ({role}). Sign in at /admin/login.")


@bp.cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Turn off an admin's two-factor sign-in (a lost phone and lost recovery codes); their
    sessions end, and an owner sets it up again at the next sign-in."""
    try:
        user = reset_two_factor(email)
    except AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(
        f"Reset two-factor sign-in of {user.email}; they set it up again at their next sign-in."
    )


@bp.cli.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Change an admin's password (read like create-user's); unlocks and signs out others."""
    try:
        user = set_password(email, _read_password())
    except AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"Changed the password of {user.email}; their other sessions are signed out.")


@bp.cli.command("recount")
def recount() -> None:
    """Rebuild the running totals behind the overview, ratings, results and orders from the
    stored rows."""
    counts = recount_totals()
    for name, rows in counts.items():
        click.echo(f"{name}: {rows} rows")
    click.echo(
        "The overview, ratings, results and orders pages now match the stored evaluations, "
        "attempts, certificates and orders."
    )


@courses_bp.cli.command("packet")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder.")
@click.option("--force", is_flag=True, help="Write into a folder that already has files.")
@DIR_OPTION
def packet_command(slug: str, out: str, force: bool, directory: str | None) -> None:
    """Write the accreditor packet of course SLUG into a folder: syllabus, answer key,
    evaluation form, credit estimate and a sample certificate marked SAMPLE."""
    from pathlib import Path

    from flask import current_app

    target = Path(out)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise click.ClickException(f"{out} already has files; choose an empty folder or --force.")
    courses_dir = Path(directory or current_app.config["COURSES_DIR"])
    try:
        specs, sponsor, _ = read_library(courses_dir, only=slug)
    except CourseFormatError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the course has mistakes: no packet was written.") from None
    written = write_packet(specs[0], sponsor.sponsor, target, sponsor_today(), courses_dir)
    for packet_file in written:
        click.echo(f"{target / packet_file.name}  {packet_file.about}")


@bp.cli.command("purge")
@click.option(
    "--before",
    "before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Remove learner data dated before this day (YYYY-MM-DD).",
)
@click.option("--yes", is_flag=True, help="Remove it; without --yes, only say what would go.")
def purge_command(before: datetime, yes: bool) -> None:
    """Remove learner data older than the records retention period (dry run by default).

    Attempts, certificates, orders, evaluations, reflections, emails and learners left with
    nothing, dated before --before; refuses a day inside CEENGINE_RECORDS_RETENTION_YEARS.
    """
    from flask import current_app

    years = current_app.config["RECORDS_RETENTION_YEARS"]
    try:
        counts = purge(before.date(), sponsor_today(), years, apply=yes)
    except PurgeRefused as refused:
        raise click.ClickException(str(refused)) from None
    verb = "Removed" if yes else "Would remove"
    click.echo(f"{verb}, for everything before {before.date().isoformat()}:")
    for count in counts:
        click.echo(f"  {count.rows:>7}  {count.what}")
    if not yes:
        click.echo("Nothing was removed (dry run). Run again with --yes to remove it.")
