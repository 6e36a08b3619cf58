"""The server's clock, frozen where time on task reads it, so tests can move it on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Where the time a learner opens a course, and scores its quiz, is read.
CLOCK_READERS = ("ceengine.courses.visits.utcnow", "ceengine.quizzes.services.utcnow")


class Clock:
    """A frozen UTC time that `advance` moves on."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        """Move the clock on (minutes=…, hours=…) and return the new time."""
        self.now += timedelta(**delta)
        return self.now


def freeze_clock(monkeypatch, now: datetime | None = None) -> Clock:
    """Freeze the clock time on task reads at `now` (default: 2 March 2026, 2:05 pm UTC)."""
    clock = Clock(now or datetime(2026, 3, 2, 14, 5, tzinfo=UTC))
    for reader in CLOCK_READERS:
        monkeypatch.setattr(reader, lambda: clock.now)
    return clock


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
