"""The `ceengine` command: Flask's CLI bound to `create_app`."""

import os

import click
from flask.cli import FlaskGroup, run_command

from ceengine import create_app
from ceengine.links import DEV_SERVER_URL_ENV, development_base_url


def _run(**options) -> None:
    """Flask's `run`, telling the app its own address first (for links in emails and PDFs)."""
    # An environment variable, so the reloader's child process and the app it loads see it.
    os.environ[DEV_SERVER_URL_ENV] = development_base_url(options["host"], options["port"])
    click.get_current_context().invoke(run_command.callback, **options)


dev_run_command = click.Command(
    "run",
    callback=_run,
    params=run_command.params,
    help=run_command.help,
    short_help=run_command.short_help,
)

cli = FlaskGroup(
    create_app=create_app,
    help="ceengine: continuing-education courses, quizzes and certificates.",
)
cli.add_command(dev_run_command)
