"""Starting gunicorn and measuring it with wrk, both on loopback, bounded in time."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN_ARGS = ["-w", "2", "-k", "sync", "--backlog", "2048", "--log-level", "warning"]


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {port} within {seconds}s")


@dataclass
class Served:
    """A running gunicorn: its address and its master process."""

    url: str
    master: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """The pids of its workers (the master's children)."""
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_worker_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of any of its workers so far, in MiB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks, default=0.0)


@contextmanager
def serve(app: str, env: dict[str, str] | None = None, workers: int = 2, log: Path | None = None):
    """Serve `app` (module:variable) with `gunicorn -w N -k sync`; yield it as `Served`.

    Its output goes to `log` when given, so a test can read the tracebacks back.
    """
    port = free_port()
    args = [*GUNICORN_ARGS]
    args[1] = str(workers)
    output = open(log, "ab") if log else None  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), *args, "-b", f"127.0.0.1:{port}", app],
        # Links in emails and on certificates point at this server (never the Host header).
        cwd=ROOT,
        env={**os.environ, "CEENGINE_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})},
        start_new_session=True,
        stdout=output,
        stderr=output,
    )
    try:
        _wait_for(port, process)
        yield Served(f"http://127.0.0.1:{port}", process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if output:
            output.close()


@contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None, workers: int = 2):
    """Serve `app` with `gunicorn -w N -k sync`; yield its base URL."""
    with serve(app, env, workers) as served:
        yield served.url


@dataclass
class Load:
    """What wrk measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


_COUNT_UNEXPECTED = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %d then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local count = 0
  for _, thread in ipairs(threads) do count = count + thread:get("unexpected") end
  io.write(string.format("Unexpected statuses: %%d\\n", count))
end
"""


def run_wrk(
    url: str,
    seconds: int = 10,
    connections: int = 16,
    script: str | None = None,
    warmup: int = 1,
    expected_status: int | None = None,
) -> Load:
    """Drive `url` with wrk (2 threads) for a bounded time and parse its report.

    A `warmup` run first, not counted: a gunicorn worker spends its first 1.5 s importing the
    app, and a page's first request compiles its templates; counted, those make the p99.
    With `expected_status` (say 422 for a refused upload) any other status is an error, and
    that status is not.
    """
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    if expected_status is not None:
        script = (script or "") + _COUNT_UNEXPECTED % expected_status
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    try:
        for duration in ([warmup] if warmup else []) + [seconds]:
            command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
            if script:
                command[1:1] = ["-s", lua.name]
            output = subprocess.run(
                command, capture_output=True, text=True, timeout=duration + 60, check=True
            ).stdout
    finally:
        os.unlink(lua.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    parse = {k: re.match(r"([\d.]+)(\w+)", v).groups() for k, v in latency.items()}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    if expected_status is not None:
        errors = int(re.search(r"Unexpected statuses: (\d+)", output).group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), "
        r"timeout (\d+)",
        output,
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(
        float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        _ms(*parse["50"]),
        _ms(*parse["99"]),
        errors,
        int(re.search(r"(\d+) requests in", output).group(1)),
    )
