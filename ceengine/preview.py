"""`ceengine courses preview`: the working copy of the courses, served for its author.

The preview is the whole site on a database of its own (a SQLite file in a temporary
folder, migrated as production is), loaded from the courses folder as it stands: every
course shows, published or not; each request first looks whether a file changed and loads
it again; every problem `courses check` would report is shown at the top of the page it
concerns. It never opens the configured DATABASE_URL, sends no email and takes no payment.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

from ceengine import create_app
from ceengine.courses.format import MODULE_FILE
from ceengine.courses.problems import Problem
from ceengine.courses.services import current_version
from ceengine.courses.working_copy import (
    WorkingCopy,
    folder_fingerprint,
    load_working_copy,
    problem_place,
    read_working_copy,
)
from ceengine.extensions import db

# Course-wide files: their problems show on every page of the course.
COURSE_WIDE = (None, "course.yaml")


class WorkingCopyWatch:
    """The courses folder the preview serves, loaded again whenever a file in it changes."""

    def __init__(self, courses_dir: Path, only: str | None) -> None:
        self.courses_dir = courses_dir
        self.only = only
        self.fingerprint: str | None = None
        self.copy = WorkingCopy()
        self._lock = threading.Lock()  # the server answers requests in threads

    def refresh(self) -> None:
        """Load the working copy again if a file changed since the last look."""
        with self._lock:
            fingerprint = folder_fingerprint(self.courses_dir, self.only)
            if fingerprint == self.fingerprint:
                return
            copy = read_working_copy(self.courses_dir, self.only)
            load_working_copy(self.courses_dir, copy)
            self.copy, self.fingerprint = copy, fingerprint

    def problems_for(self, endpoint: str | None, view_args: dict[str, Any]) -> list[Problem]:
        """The problems a page concerns: all of them on the catalog; on a course's pages,
        those of its files shown there; sponsor.yaml's everywhere."""
        slug, module = view_args.get("slug"), view_args.get("module_slug")
        return [
            problem
            for problem in self.copy.problems
            if _concerns(problem_place(problem, self.courses_dir), endpoint, slug, module)
        ]


def _concerns(
    place: tuple[str | None, str | None], endpoint: str | None, slug: str | None, module: str | None
) -> bool:
    """Whether a problem in (course, file) belongs on the page `endpoint` of course `slug`."""
    course, file = place
    if endpoint == "courses.catalog" or course is None:
        return True  # the catalog shows every problem; sponsor.yaml's concern every page
    if course != slug:
        return False
    if endpoint == "courses.course" or file in COURSE_WIDE or (file or "").startswith("media/"):
        return True  # the course page is where the whole course is seen
    if file == "quiz.yaml":
        return (endpoint or "").startswith("quizzes.")
    match = MODULE_FILE.match(file.removeprefix("modules/")) if file else None
    return endpoint == "courses.module" and match is not None and match.group(2) == module


def _watch() -> WorkingCopyWatch:
    return current_app.extensions["preview"]


def _refresh_first() -> ResponseReturnValue | None:
    """Before each page: load what changed; a course never loaded shows its mistakes."""
    if request.endpoint == "static":
        return None
    watch = _watch()
    watch.refresh()
    slug = (request.view_args or {}).get("slug")
    if slug in watch.copy.broken and current_version(slug) is None:
        return render_template("preview/not_loaded.html", slug=slug)
    return None


def _page_problems() -> list[Problem]:
    """The problems shown at the top of the page being drawn (base.html)."""
    return _watch().problems_for(request.endpoint, request.view_args or {})


def preview_settings(database_dir: Path, courses_dir: Path) -> dict[str, Any]:
    """Settings that keep the preview to itself: its own database, no email sent, no
    payment taken."""
    return {
        "PREVIEW": True,
        # Served over plain http on this machine, linking to itself (never to the live site).
        "PRODUCTION": False,
        "BASE_URL": "",
        "SESSION_COOKIE_SECURE": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_dir / 'preview.db'}",
        "COURSES_DIR": str(courses_dir),
        "MAIL_SERVER": None,
        "MAIL_BACKEND": "console",
        "MAIL_DELIVERY": "inline",
        "STRIPE_SECRET_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def create_preview_app(
    courses_dir: Path,
    database_dir: Path,
    only: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Flask:
    """The app in preview mode: a fresh database in `database_dir`, loaded from
    `courses_dir` (only course `only` when given)."""
    app = create_app({**(overrides or {}), **preview_settings(database_dir, courses_dir)})
    app.extensions["preview"] = WorkingCopyWatch(Path(courses_dir), only)
    app.add_template_global(_page_problems, "preview_problems")
    app.before_request(_refresh_first)
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's line per migration says nothing to an author
        try:
            upgrade(directory=app.config["MIGRATIONS_DIR"])
        finally:
            logging.disable(logging.NOTSET)
        app.extensions["preview"].refresh()
    return app


def listen(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """A server for the preview on host:port (werkzeug says so and exits if it is taken)."""
    return make_server(host, port, app, threaded=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a kill stops the preview as Ctrl+C does: its database removed


def serve(app: Flask, server: BaseWSGIServer) -> None:
    """Serve the preview until interrupted (Ctrl+C or a kill)."""
    # An author reads this terminal: werkzeug's one line per request is enough.
    logging.getLogger("ceengine.requests").setLevel(logging.WARNING)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        with app.app_context():
            db.engine.dispose()
