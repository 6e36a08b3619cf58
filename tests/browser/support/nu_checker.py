"""The Nu HTML Checker (vnu-jar from npm, run with Java): the W3C's own validator, as a small
web service started once per test process, so each page costs one local POST, not a JVM."""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.app import skip_missing_infrastructure

ROOT = Path(__file__).resolve().parent.parent.parent.parent
JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
_service: dict[str, object] = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start() -> str:
    port = _free_port()
    process = subprocess.Popen(
        ["java", "-Xss4m", "-cp", str(JAR), "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(process.terminate)
    url = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the Nu HTML Checker stopped while starting") from None
            time.sleep(0.2)
    raise RuntimeError("the Nu HTML Checker did not start within 60 s")


def _service_url() -> str:
    if shutil.which("java") is None:
        skip_missing_infrastructure("java is not installed (the Nu HTML Checker)")
    if not JAR.exists():
        skip_missing_infrastructure("node_modules/vnu-jar is not installed (run `make node-deps`)")
    if "url" not in _service:
        _service["url"] = _start()
    return str(_service["url"])


def html_errors(html: str) -> list[str]:
    """The Nu HTML Checker's errors for a document, as "line N: message" lines."""
    request = urllib.request.Request(
        _service_url(),
        data=html.encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        messages = json.load(response)["messages"]
    return [
        f"line {m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
