"""Courses: the catalog, course and module pages, and the `courses` commands."""

from flask import Blueprint

bp = Blueprint("courses", __name__, cli_group="courses")

from ceengine.courses import cli, views  # noqa: E402,F401 - register routes and commands
from ceengine.courses.presenters import module_html  # noqa: E402
from ceengine.courses.visits import write_pending_openings  # noqa: E402

bp.add_app_template_global(module_html)  # course pages and their partials render modules
bp.before_app_request(write_pending_openings)  # a first visit's openings, once its cookie is back
