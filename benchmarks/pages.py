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


def prepare_database(folder: Path) -> dict[str, str]:
    """A migrated SQLite database with the project's courses; the environment that uses it."""
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
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


def measure(seconds: int = 10) -> list[Row]:
    """Hello-world, then the learner's pages and Score My Quiz, each with wrk under gunicorn."""
    with tempfile.TemporaryDirectory() as folder:
        with serve("benchmarks.hello:app", log=Path(folder) / "hello.log") as server:
            hello = run_wrk(server.url + "/", seconds)
            rows = [Row("hello-world (baseline)", hello, None, None, server.peak_worker_mb())]
        env = prepare_database(Path(folder))
        with serve("wsgi:app", env, log=Path(folder) / "app.log") as server:
            url = server.url

            def row(name: str, path: str, target: float | None, script: str | None = None):
                load = run_wrk(url + path, seconds, script=script)
                rows.append(Row(name, load, hello, target, server.peak_worker_mb()))

            row("catalog page GET /", "/", None)
            row("course page GET", f"/courses/{COURSE}", 0.5)
            body, cookies = _answered_quiz(url)
            result = _result_page(url, body, cookies)
            row(
                "result page GET", urllib.parse.urlsplit(result).path, None, _cookie_script(cookies)
            )
            row(
                "Score My Quiz POST",
                f"/courses/{COURSE}/quiz",
                0.25,
                _quiz_post_script(body, cookies),
            )
    return rows
