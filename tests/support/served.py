"""The app as production runs it: migrated by `ceengine db upgrade`, served by gunicorn.

Shared by the load, fault and several-instance tests and by `make bench`'s crowd.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.servers import BIN, ROOT
from tests.support.app import signing_files
from tests.support.network import free_port

# Generous limits: a crowd comes from one address, and these tests are about what is stored.
OPEN_LIMITS = {
    "CEENGINE_VERIFY_RATE_LIMIT": "100000 per minute",
    "CEENGINE_SIGN_IN_RATE_LIMIT": "100000 per minute",
    "CEENGINE_REFLECTION_RATE_LIMIT": "100000 per minute",
    "CEENGINE_ADMIN_LOGIN_RATE_LIMIT": "100000 per minute",
    "CEENGINE_QUIZ_RATE_LIMIT": "100000 per minute",
    "CEENGINE_MAIL_PER_CLIENT_LIMIT": "100000 per minute",
}


def served_env(database_url: str, courses_dir: Path, stripe=None, **extra: str) -> dict:
    """The environment a gunicorn worker reads its settings from."""
    files = signing_files()
    env = {
        "DATABASE_URL": database_url,
        "CEENGINE_COURSES_DIR": str(courses_dir),
        "CEENGINE_SECRET_KEY": "served-test-secret-key-" + "x" * 24,
        "CEENGINE_SIGNING_KEY": str(files["key"]),
        "CEENGINE_SIGNING_CERT": str(files["cert"]),
        "CEENGINE_SIGNING_CHAIN": str(files["chain"]),
        "CEENGINE_REQUEST_LOG": "off",
        **OPEN_LIMITS,
    }
    if stripe is not None:
        env.update(
            STRIPE_SECRET_KEY=stripe.secret_key,
            STRIPE_WEBHOOK_SECRET=stripe.webhook_secret,
            STRIPE_API_BASE=stripe.url,
        )
    env.update(extra)
    return env


def prepare_database(env: dict) -> None:
    """`ceengine db upgrade` and `ceengine courses sync`, as an operator runs them."""
    for command in (["db", "upgrade"], ["courses", "sync"]):
        subprocess.run(
            [str(BIN / "ceengine"), *command],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
            timeout=120,
        )


def server_errors_in(log: Path) -> list[str]:
    """Tracebacks a gunicorn log holds (an unhandled error in a view)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [block for block in text.split("Traceback (most recent call last):")[1:]]


@contextmanager
def redis_server():
    """Debian's redis-server on a loopback port, with nothing saved to disk; yields its URL."""
    program = shutil.which("redis-server")
    if program is None:
        from tests.support.app import skip_missing_infrastructure

        skip_missing_infrastructure("redis-server is not installed (apt-get install redis-server)")
    port, folder = free_port(), tempfile.mkdtemp(prefix="ceengine-redis-")
    process = subprocess.Popen(
        [
            program,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
