"""Page and Score My Quiz figures against the hello-world baseline, measured in one run."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import BIN, ROOT, Load, gunicorn, run_wrk
from tests.forms import quiz_form_in

COURSE = "self-compassion-for-clinicians"


@dataclass
class Row:
    """One line of the table."""

    name: str
    load: Load
    baseline: Load | None
    target: float | None

    @property
    def ratio(self) -> float | None:
        """Requests per second relative to hello-world."""
        return self.load.requests_per_second / self.baseline.requests_per_second \
            if self.baseline else None


def prepare_database(folder: Path) -> dict[str, str]:
    """A migrated SQLite database with the project's courses; the environment that uses it."""
    env = {"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "CEENGINE_SECRET_KEY": "benchmark-secret-key-" + "x" * 20}
    for command in (["db", "upgrade"], ["courses", "sync"]):
        subprocess.run([str(BIN / "ceengine"), *command], cwd=ROOT, env={**os.environ, **env},
                       check=True, capture_output=True)
    return env


def _quiz_post_script(base_url: str) -> tuple[str, str]:
    """Load the quiz as a browser would; return the wrk Lua script that answers it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base_url}/courses/{COURSE}/quiz").read().decode()
    form = quiz_form_in(html)
    from ceengine.courses.format import read_courses

    spec = read_courses(ROOT / "courses", only=COURSE)[0][0]
    answers = {item["statement"]: item["answer"] for item in spec.items}
    chosen = {name: answers[legend] for name, legend in zip(form.radios, form.legends,
                                                            strict=True)}
    fields = {k: v for k, v in form.answers(chosen).items() if k != "form_key"}
    body = urllib.parse.urlencode(fields)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    script = f"""
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
    return script, f"{base_url}/courses/{COURSE}/quiz"


def measure(seconds: int = 10) -> list[Row]:
    """Hello-world, catalog, course page and Score My Quiz, each with wrk under gunicorn -w 2."""
    with gunicorn("benchmarks.hello:app") as url:
        hello = run_wrk(url + "/", seconds)
    rows = [Row("hello-world (baseline)", hello, None, None)]
    with tempfile.TemporaryDirectory() as folder:
        env = prepare_database(Path(folder))
        with gunicorn("wsgi:app", env) as url:
            rows.append(Row("catalog page GET /", run_wrk(url + "/", seconds), hello, None))
            rows.append(Row("course page GET", run_wrk(f"{url}/courses/{COURSE}", seconds),
                            hello, 0.5))
            script, post_url = _quiz_post_script(url)
            rows.append(Row("Score My Quiz POST", run_wrk(post_url, seconds, script=script),
                            hello, 0.25))
    return rows
