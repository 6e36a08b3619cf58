"""Lighthouse 12 (npm, run with Debian's Chromium) on the pages a clinician goes through, with
phone emulation: performance, accessibility, best practices and SEO, each at least 0.95. The
scores are written to test-artifacts/lighthouse.json for the README."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support.pages import ARTIFACTS
from tests.browser.support.quiz_steps import COURSES, answer
from tests.support.app import skip_missing_infrastructure

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLOOR = 0.95
FIRST_MODULE = COURSES["compassion-cultivation-training"].content["modules"][0]["slug"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def lighthouse(url: str, folder: Path, name: str, cookie: str | None = None) -> dict:
    """Lighthouse's category scores for one address (phone emulation, the default)."""
    if not LIGHTHOUSE.exists():
        skip_missing_infrastructure("node_modules/lighthouse is not installed (make node-deps)")
    report = folder / f"{name}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        headers = folder / f"{name}-headers.json"
        headers.write_text(json.dumps({"Cookie": cookie}))
        command.append(f"--extra-headers={headers}")
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    subprocess.run(command, check=True, env=env, timeout=240, capture_output=True)
    result = json.loads(report.read_text())
    return {c: result["categories"][c]["score"] for c in CATEGORIES} | {
        "failed audits": sorted(
            audit["id"]
            for audit in result["audits"].values()
            if audit.get("score") is not None
            and audit["score"] < 0.9
            and audit.get("scoreDisplayMode") in ("binary", "numeric")
        )
    }


@pytest.mark.parametrize("live_server", ["sqlite"], indirect=True)
def test_lighthouse_scores_the_learner_pages_at_least_095(live_server, desktop_page, tmp_path):
    page, base = desktop_page, live_server.url
    page.goto(f"{base}/courses/demo-lesson/quiz")
    answer(page, "demo-lesson")
    page.get_by_role("button", name="Score My Quiz").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    result_url = page.url
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    page.get_by_role("link", name="Get my certificate").click()  # demo-lesson: no evaluation
    page.get_by_label("Full name").fill("Ana María Núñez")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("I completed this course myself").check()
    page.get_by_role("button", name="Issue certificate").click()
    expect(page.get_by_role("heading", name="Your CE certificate")).to_be_visible()
    certificate_url = page.url
    pages = {
        "catalog": (f"{base}/", None),
        "course": (f"{base}/courses/self-compassion-for-clinicians", None),
        "module": (f"{base}/courses/compassion-cultivation-training/modules/{FIRST_MODULE}", None),
        "quiz": (f"{base}/courses/self-compassion-for-clinicians/quiz", None),
        "result": (result_url, cookie),
        "certificate": (certificate_url, None),  # the emailed link: no cookie needed
    }
    scores = {name: lighthouse(url, tmp_path, name, who) for name, (url, who) in pages.items()}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "lighthouse.json").write_text(json.dumps(scores, indent=2))
    low = {
        name: {c: s[c] for c in CATEGORIES if s[c] < FLOOR} | {"audits": s["failed audits"]}
        for name, s in scores.items()
        if any(s[c] < FLOOR for c in CATEGORIES)
    }
    assert low == {}, json.dumps(low, indent=2)
