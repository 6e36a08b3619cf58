"""Browser fixtures: the app served on loopback, Debian's Chromium through Playwright, axe."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.conftest import (
    FIXTURE_COURSES,
    PROJECT_COURSES,
    make_app,
    skip_missing_infrastructure,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--autoplay-policy=no-user-gesture-required"]
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts"
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory):
    """The real courses (and the small test courses), synced and served, once per database."""
    with serve_courses(request, tmp_path_factory, "browser") as server:
        yield server


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
    app = make_app(url, courses)
    with app.app_context():
        sync_courses(courses)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, headless (never a downloaded browser).

    Package-scoped: Playwright's sync API keeps an event loop running in this thread, so it
    must stop before other tests call code that uses asyncio.run() (pyHanko does).
    """
    if not Path(CHROMIUM).exists():
        skip_missing_infrastructure("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    """A fresh page at phone or desktop size."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    """A fresh desktop-sized page."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    yield context.new_page()
    context.close()


def assert_accessible(page) -> None:
    """Zero axe-core violations for WCAG 2.1 A and AA on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
