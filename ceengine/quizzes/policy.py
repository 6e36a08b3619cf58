"""Retake policy: may this learner start another attempt now? Pure code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


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
