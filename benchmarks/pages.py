"""Page and Score My Quiz figures against the hello-world baseline, measured in one run."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import BIN, ROOT, Load, run_wrk, serve
from tests.support.html import quiz_form_in

COURSE = "self-compassion-for-clinicians"


@dataclass
class Row:
    """One line of the table."""

    name: str
    load: Load
    baseline: Load | None
    target: float | None
    peak_mb: float = 0.0  # the largest peak resident memory of a worker after the row

    @property
    def ratio(self) -> float | None:
        """Requests per second relative to hello-world."""
        return (
            self.load.requests_per_second / self.baseline.requests_per_second
            if self.baseline
            else None
        )


def prepare_database(folder: Path, url: str | None = None) -> dict[str, str]:
    """A migrated database (SQLite unless `url`) with the project's courses; the environment
    that uses it."""
    env = {
        "DATABASE_URL": url or f"sqlite:///{folder / 'bench.db'}",
        "CEENGINE_SECRET_KEY": "benchmark-secret-key-" + "x" * 20,
        # One address sends everything here; a real crowd comes from many.
        "CEENGINE_VERIFY_RATE_LIMIT": "1000000 per minute",
        "CEENGINE_QUIZ_RATE_LIMIT": "1000000 per minute",
    }
    for command in (["db", "upgrade"], ["courses", "sync"]):
        subprocess.run(
            [str(BIN / "ceengine"), *command],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
    return env


def _answered_quiz(base_url: str) -> tuple[str, str]:
    """Load the quiz as a browser would and answer it rightly: (form body, Cookie header)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base_url}/courses/{COURSE}/quiz").read().decode()
    form = quiz_form_in(html)
    from ceengine.courses.format import read_courses

    spec = read_courses(ROOT / "courses", only=COURSE)[0][0]
    answers = {item["statement"]: item["answer"] for item in spec.items}
    chosen = {name: answers[legend] for name, legend in zip(form.radios, form.legends, strict=True)}
    fields = {k: v for k, v in form.answers(chosen).items() if k != "form_key"}
    return urllib.parse.urlencode(fields), "; ".join(f"{c.name}={c.value}" for c in jar)


def _quiz_post_script(body: str, cookies: str) -> str:
    """The wrk Lua script that presses Score My Quiz, a new form key each time."""
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookies}"
local counter, id = 0, 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", id or 0, counter, math.random(1, 1e9))
  return wrk.format(nil, nil, nil, "{body}&form_key=" .. key)
end
"""


def _result_page(base_url: str, body: str, cookies: str) -> str:
    """Score the quiz once; the address of its result page."""
    request = urllib.request.Request(
        f"{base_url}/courses/{COURSE}/quiz",
        data=f"{body}&form_key=bench-result".encode(),
        headers={"Cookie": cookies},
        method="POST",
    )

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(Stay).open(request)
    except urllib.error.HTTPError as redirect:
        return urllib.parse.urljoin(base_url, redirect.headers["Location"])
    raise RuntimeError("Score My Quiz did not redirect to a result page")


def _cookie_script(cookies: str) -> str:
    return f'wrk.headers["Cookie"] = "{cookies}"\n'


MODULE_COURSE = "cognitively-based-compassion-training"


def _first_module(base_url: str) -> str:
    """The address of the module course's first module, as its course page links it."""
    import re

    html = urllib.request.urlopen(f"{base_url}/courses/{MODULE_COURSE}").read().decode()
    return re.search(rf'href="(/courses/{MODULE_COURSE}/modules/[^"]+)"', html).group(1)


def measure_app(url: str, hello: Load, seconds: int, peak_mb, database: str) -> list[Row]:
    """The learner's pages and Score My Quiz on a served app (`database` names the rows)."""
    rows: list[Row] = []

    def row(name: str, path: str, target: float | None, script: str | None = None):
        load = run_wrk(url + path, seconds, script=script)
        rows.append(Row(name, load, hello, target, peak_mb()))

    body, cookies = _answered_quiz(url)
    result = _result_page(url, body, cookies)  # the learner has passed once: returning
    returning = _cookie_script(cookies)
    if database == "SQLite":
        row("catalog page GET /", "/", 0.3)
        row("course page, first visit", f"/courses/{COURSE}", 0.5)
        row("course page, returning", f"/courses/{COURSE}", 0.3, returning)
        row("module page GET", _first_module(url), 0.3, returning)
        row("quiz page GET", f"/courses/{COURSE}/quiz", 0.3, returning)
        row("result page GET", urllib.parse.urlsplit(result).path, None, returning)
    row(
        f"Score My Quiz ({database})",
        f"/courses/{COURSE}/quiz",
        0.12 if database == "SQLite" else None,
        _quiz_post_script(body, cookies),
    )
    return rows


def measure(seconds: int = 10) -> list[Row]:
    """Hello-world, then the learner's pages and Score My Quiz, each with wrk under gunicorn
    (on SQLite; Score My Quiz again on PostgreSQL)."""
    with tempfile.TemporaryDirectory() as folder:
        with serve("benchmarks.hello:app", log=Path(folder) / "hello.log") as server:
            hello = run_wrk(server.url + "/", seconds)
            rows = [Row("hello-world (baseline)", hello, None, None, server.peak_worker_mb())]
        env = prepare_database(Path(folder))
        with serve("wsgi:app", env, log=Path(folder) / "app.log") as server:
            rows += measure_app(server.url, hello, seconds, server.peak_worker_mb, "SQLite")
        rows += _on_postgresql(Path(folder), hello, seconds)
    return rows


def _on_postgresql(folder: Path, hello: Load, seconds: int) -> list[Row]:
    """Score My Quiz served on a throwaway PostgreSQL server (none when it is not installed)."""
    from tests.support.postgres_server import PostgresServer

    server = PostgresServer()
    if not server.available:
        return []
    server.start()
    try:
        url = server.create_database("bench")
        env = prepare_database(folder, url)
        with serve("wsgi:app", env, log=folder / "app-pg.log") as served:
            return measure_app(served.url, hello, seconds, served.peak_worker_mb, "PostgreSQL")
    finally:
        server.stop()


def cache_sizes() -> str:
    """What the per-process caches hold once every page of every course has been served, as
    one line for the table (measured in-process on a fresh SQLite database)."""
    import logging
    import re

    from ceengine import create_app
    from ceengine.courses.first_visit import pages
    from ceengine.courses.services import sync_courses
    from ceengine.courses.snapshots import snapshot_cache
    from ceengine.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cache.db",
                "COURSES_DIR": str(ROOT / "courses"),
                "REQUEST_LOG": False,
            }
        )
        with app.app_context():
            db.create_all()
            sync_courses(ROOT / "courses")

            def first_visit(path: str) -> str:  # a new browser each time: no cookies
                return app.test_client().get(path).get_data(as_text=True)

            logging.getLogger("ceengine.requests").disabled = True  # this is not the load
            catalog = first_visit("/")
            for slug in sorted(set(re.findall(r'href="/courses/([^/"#?]+)"', catalog))):
                page = first_visit(f"/courses/{slug}")
                first_visit(f"/courses/{slug}/quiz")
                for module in set(re.findall(rf'href="(/courses/{slug}/modules/[^"#]+)"', page)):
                    first_visit(module)
            logging.getLogger("ceengine.requests").disabled = False
            versions, first = snapshot_cache(), pages()
            line = (
                f"Caches per worker after every page: {len(versions)} course versions, "
                f"{versions.held_bytes() / 1024:.0f} KiB; {len(first)} first-visit pages, "
                f"{first.held_bytes() / 1024:.0f} KiB (bounded: "
                f"{versions.size} versions, {first.size} pages)"
            )
            db.engine.dispose()
    return line
