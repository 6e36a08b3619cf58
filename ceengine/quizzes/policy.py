"""Retake policy: may this learner start another attempt now? Pure code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Availability:
    """Whether a new attempt is allowed, and if not, why and until when."""

    allowed: bool
    reason: str | None = None
    retry_at: datetime | None = None
    attempts_left: int | None = None  # None means unlimited


def attempt_availability(
    *,
    max_attempts: int | None,
    wait_minutes: int,
    attempts_used: int,
    last_attempt_at: datetime | None,
    now: datetime,
) -> Availability:
    """Apply the course's attempt limit and waiting time."""
    left = None if max_attempts is None else max(max_attempts - attempts_used, 0)
    if left == 0:
        plural = "s" if max_attempts != 1 else ""
        return Availability(
            False,
            f"You have used all {max_attempts} attempt{plural} this course allows.",
            attempts_left=0,
        )
    if wait_minutes and last_attempt_at is not None:
        retry_at = last_attempt_at + timedelta(minutes=wait_minutes)
        if now < retry_at:
            minutes = max(1, int((retry_at - now).total_seconds() + 59) // 60)
            return Availability(
                False,
                f"This course asks you to wait {wait_minutes} minutes "
                f"between attempts. You can try again in {minutes} "
                f"minute{'s' if minutes != 1 else ''}.",
                retry_at=retry_at,
                attempts_left=left,
            )
    return Availability(True, attempts_left=left)


def clock_time(moment: datetime, now: datetime, zone: tzinfo = UTC) -> str:
    """A time in `zone` as a person reads it: 3:05 pm PST, with the date when not today."""
    moment, now = moment.astimezone(zone), now.astimezone(zone)
    hour = moment.hour % 12 or 12
    text = f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'} {moment.tzname()}"
    if moment.date() != now.date():
        text += f" on {moment.day} {moment.strftime('%B %Y')}"
    return text


def scoring_availability(
    *,
    minimum_minutes: int,
    first_opened_at: datetime | None,
    now: datetime,
    zone: tzinfo = UTC,
) -> Availability:
    """Apply the course's minimum study time, counted from first opening the course."""
    if not minimum_minutes:
        return Availability(True)
    opens_at = (first_opened_at or now) + timedelta(minutes=minimum_minutes)
    if now >= opens_at:
        return Availability(True)
    # Rounded up to the minute: "from 3:05 pm" never lets a learner press at 3:05 too early.
    if opens_at.second or opens_at.microsecond:
        opens_at = opens_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    plural = "s" if minimum_minutes != 1 else ""
    return Availability(
        False,
        f"You can score this quiz from {clock_time(opens_at, now, zone)} — the course asks "
        f"for at least {minimum_minutes} minute{plural} of study.",
        retry_at=opens_at,
    )
