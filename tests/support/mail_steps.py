"""Steps for the email tests: a real SMTP server on loopback, the outbox, delivering the queue.

Test apps deliver queued mail right after the commit that queued it (`MAIL_DELIVERY="inline"`
in tests/support/app.py), so a test can look at the mail as soon as a request returns. The tests
about the queue itself use `MAIL_DELIVERY="manual"` (nothing is sent until `deliver` runs) or
`"background"` (the worker thread, as in production).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ceengine.extensions import db
from ceengine.outbox.delivery import deliver_due
from ceengine.outbox.models import OutboxMessage


def outbox(app) -> list:
    """Every email the app has sent to the in-memory backend (Flask-Mailman's locmem)."""
    return getattr(app.extensions["mailman"], "outbox", [])


def links_in(body: str) -> list[str]:
    """The absolute addresses in an email body."""
    return re.findall(r"https?://\S+", body)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts.

    `refuse(n)` answers the next n messages with a temporary failure (451); `hold()` keeps the
    next messages waiting, unanswered, until `release()` (at most `HOLD_SECONDS`).
    """

    HOLD_SECONDS = 20

    def __init__(self) -> None:
        self.envelopes = []
        self.refusals = 0
        self.waiting = threading.Event()  # set while a message is held
        self._released = threading.Event()
        self._released.set()

    def refuse(self, times: int) -> None:
        """Refuse the next `times` messages with "451 try again later"."""
        self.refusals = times

    def hold(self) -> None:
        """Keep the next messages unanswered until `release`."""
        self._released.clear()

    def release(self) -> None:
        """Answer the held messages."""
        self._released.set()

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        if not self._released.is_set():
            self.waiting.set()
            await asyncio.get_running_loop().run_in_executor(
                None, self._released.wait, self.HOLD_SECONDS
            )
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list:
        """The accepted messages, parsed."""
        return [
            email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes
        ]


def smtp_settings(port: int) -> dict:
    """App settings that send over plain SMTP to the loopback server on `port`."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
    }


def deliver(app, later: timedelta = timedelta(0)) -> int:
    """Run the delivery worker once, as at `later` from now; how many messages it handled."""
    with app.app_context():
        return deliver_due(now=datetime.now(UTC) + later).handled


def queued(**where) -> list[OutboxMessage]:
    """The outbox rows (committed), oldest first, filtered by column values."""
    db.session.rollback()  # read what is committed, as the worker would
    query = sa.select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def wait_for(condition, seconds: float = 30, what: str = "the condition") -> None:
    """Poll `condition` until it holds (a bound on waiting for another thread, not a timing)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds}s")
        time.sleep(0.05)
