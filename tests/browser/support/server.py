"""The app served on loopback for the browser: werkzeug in a thread, the courses synced."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.app import FIXTURE_COURSES, PROJECT_COURSES, make_app


class LiveServer:
    """The app served by werkzeug in a background thread."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # Links in emails and on certificates use the server's configured address, as
        # `ceengine run --port` sets it (never the request's Host header).
        app.config["DEV_SERVER_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        with self.app.app_context():
            db.engine.dispose()


@contextmanager
def serve_courses(request, tmp_path_factory, name: str):
    """A live server with the real and the test courses, on a database of its own."""
    folder = tmp_path_factory.mktemp(name)
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'live.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(name)
    courses = folder / "courses"
    shutil.copytree(PROJECT_COURSES, courses)
    for course in FIXTURE_COURSES.iterdir():
        shutil.copytree(course, courses / course.name)
    # The browser tests sign in many times a minute on one server; the sign-in rate limit
    # itself is tested in tests/admin.
    app = make_app(url, courses, ADMIN_LOGIN_RATE_LIMIT="1000 per minute")
    with app.app_context():
        sync_courses(courses)
    with LiveServer(app) as server:
        yield server
