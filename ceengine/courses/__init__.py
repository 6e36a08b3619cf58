"""Courses: the catalog, course and module pages, and the `courses` commands."""

from flask import Blueprint

bp = Blueprint("courses", __name__, cli_group="courses")

from ceengine.courses import cli, views  # noqa: E402,F401 - register routes and commands
