"""Browser fixtures: the app served on loopback, Debian's Chromium through Playwright, axe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.support.pages import VIEWPORTS
from tests.browser.support.server import serve_courses
from tests.support.app import skip_missing_infrastructure

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory):
    """The real courses (and the small test courses), synced and served, once per database."""
    with serve_courses(request, tmp_path_factory, "browser") as server:
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
