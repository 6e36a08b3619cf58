"""The delivery worker: one thread per app per process, started lazily, woken after a commit.

`CEENGINE_MAIL_DELIVERY` chooses who sends:
- `background` (the default): a thread in each web process. It starts on the process's first
  request or queued message, never at import, so gunicorn workers forked after the app was
  loaded (`--preload`) each start their own. Outside a request (a `ceengine` command) a queued
  message is sent right after the commit instead: a command has no visitor to keep waiting.
- `manual`: nothing is sent until `ceengine mail send-pending` runs (cron, a separate worker).
- `inline`: sent right after the commit that queued it, in the same thread. For tests and
  development only; refused in production, where it would put SMTP back into requests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy.orm import Session

from ceengine.extensions import db
from ceengine.outbox.delivery import deliver_due
from ceengine.outbox.queue import QUEUED_FLAG, parse_limit

MODES = ("background", "manual", "inline")
EXTENSION = "ceengine_outbox"


class Courier:
    """The delivery thread of one app in this process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread in this process if it is not running (cheap when it is)."""
        if self.app.config["MAIL_DELIVERY"] != "background":
            return
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            return
        if self._pid != pid:  # a forked child: nothing of the parent's thread came along
            self._lock, self._pid, self._thread = threading.Lock(), pid, None
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._wake, self._stop = threading.Event(), threading.Event()
                self._thread = threading.Thread(
                    target=self._run,
                    name=f"ceengine-mail-{pid}",
                    args=(self._wake, self._stop),
                    daemon=True,
                )
                self._thread.start()

    def wake(self) -> None:
        """Send what was just queued, now rather than at the next poll."""
        self.start()
        self._wake.set()

    def stop(self, seconds: float = 30) -> None:
        """Stop the thread (tests); a web process simply exits and the thread with it."""
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread.is_alive():
            self._stop.set()
            self._wake.set()
            thread.join(seconds)

    def after_commit(self) -> None:
        """A commit queued mail: wake the thread, or send now (see the module's docstring)."""
        mode = self.app.config["MAIL_DELIVERY"]
        if mode == "inline" or (mode == "background" and not has_request_context()):
            _deliver_logged(self.app)
        elif mode == "background":
            self.wake()

    def _run(self, wake: threading.Event, stop: threading.Event) -> None:
        poll, said = float(self.app.config["MAIL_POLL_SECONDS"]), None
        while not stop.is_set():
            wake.clear()
            with self.app.app_context():
                problem = _deliver_logged(self.app, unless_said=said)
            said = problem
            # A database that keeps failing (not migrated, away) is asked less often.
            wake.wait(poll if problem is None else max(poll, 60))


def _deliver_logged(app: Flask, unless_said: str | None = None) -> str | None:
    """Send what is due; a problem is logged (once while it repeats) and returned."""
    try:
        deliver_due()
    except Exception as error:  # e.g. the database is away for a moment: the next poll retries
        problem = f"{type(error).__name__}: {error}"
        if problem != unless_said:
            app.logger.warning("Could not send queued email just now: %s", problem)
        return problem
    return None


def _after_commit(session: Session) -> None:
    if session.info.pop(QUEUED_FLAG, False) and has_app_context():
        courier = current_app.extensions.get(EXTENSION)
        if courier is not None:
            courier.after_commit()


def _after_rollback(session: Session) -> None:
    session.info.pop(QUEUED_FLAG, None)  # what was queued is gone with the transaction


sa.event.listen(db.session, "after_commit", _after_commit)
sa.event.listen(db.session, "after_rollback", _after_rollback)


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse impossible mail settings at start-up, with the setting's name."""
    if config["MAIL_DELIVERY"] not in MODES:
        raise RuntimeError(f"CEENGINE_MAIL_DELIVERY must be one of {', '.join(MODES)}.")
    if config.get("PRODUCTION") and config["MAIL_DELIVERY"] == "inline":
        raise RuntimeError(
            "CEENGINE_MAIL_DELIVERY=inline sends email inside requests; in "
            "production use background (the default) or manual."
        )
    parse_limit(config["MAIL_PER_RECIPIENT_LIMIT"], "MAIL_PER_RECIPIENT_LIMIT")
    parse_limit(config["MAIL_PER_CLIENT_LIMIT"], "MAIL_PER_CLIENT_LIMIT")


def init_app(app: Flask) -> None:
    """Give `app` its courier; in background mode each process starts it on its first request."""
    check_settings(app.config)
    courier = Courier(app)
    app.extensions[EXTENSION] = courier
    if app.config["MAIL_DELIVERY"] == "background":
        app.before_request(courier.start)


def stop_delivery(app: Flask) -> None:
    """Stop `app`'s delivery thread in this process, if it runs."""
    courier = app.extensions.get(EXTENSION)
    if courier is not None:
        courier.stop()
