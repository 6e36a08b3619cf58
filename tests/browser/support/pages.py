"""Looking at a page in Chromium: the two window sizes, axe-core's WCAG check, the Nu HTML
Checker, screenshots."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parent.parent.parent.parent / "test-artifacts"
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    """Zero axe-core violations for WCAG 2.1 A and AA on the current page, and zero errors
    from the Nu HTML Checker on its markup."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.support.nu_checker import html_errors

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    errors = html_errors(page.content())
    assert errors == [], f"{page.url}: the Nu HTML Checker found\n" + "\n".join(errors)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
