"""The `ceengine` command: Flask's CLI bound to `create_app`."""

import os

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, run_command

from ceengine import create_app
from ceengine.config import NO_TIMEZONE_WARNING
from ceengine.links import DEV_SERVER_URL_ENV, development_base_url


def _create_app() -> Flask:
    """The app a command runs in. Without CEENGINE_TIMEZONE it stays quiet: `run` says so
    (and production refuses to start), while the authoring commands (`courses new`, `check`,
    `preview`, `credit-estimate`) have no dates to print."""
    return create_app({"QUIET_TIMEZONE": True})


def _run(**options) -> None:
    """Flask's `run`, telling the app its own address first (for links in emails and PDFs)."""
    # An environment variable, so the reloader's child process and the app it loads see it.
    os.environ[DEV_SERVER_URL_ENV] = development_base_url(options["host"], options["port"])
    context = click.get_current_context()
    app = context.ensure_object(ScriptInfo).load_app()
    if not app.config["TIMEZONE"] and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        app.logger.warning(NO_TIMEZONE_WARNING)  # once, not again in the reloader's child
    context.invoke(run_command.callback, **options)


dev_run_command = click.Command(
    "run",
    callback=_run,
    params=run_command.params,
    help=run_command.help,
    short_help=run_command.short_help,
)

cli = FlaskGroup(
    create_app=_create_app,
    help="ceengine: continuing-education courses, quizzes and certificates.",
)
cli.add_command(dev_run_command)
