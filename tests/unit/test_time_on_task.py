"""Durations and the minimum study time as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ceengine.quizzes.policy import clock_time, scoring_availability
from ceengine.templating import format_minutes

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "duration, shown",
    [
        (timedelta(hours=1, minutes=12, seconds=59), "1 h 12 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=26, minutes=5), "26 h 5 min"),
        (timedelta(seconds=40), "under 1 min"),
        (90, "1 h 30 min"),
        (None, "—"),
    ],
)
def test_durations_read_as_people_say_them(duration, shown):
    assert format_minutes(duration) == shown


def test_times_read_with_am_pm_and_the_date_when_not_today():
    assert clock_time(NOW.replace(hour=15, minute=5), NOW) == "3:05 pm UTC"
    assert clock_time(NOW.replace(hour=0, minute=7), NOW) == "12:07 am UTC"
    assert clock_time(NOW.replace(hour=12), NOW) == "12:30 pm UTC"
    assert clock_time(NOW + timedelta(days=1), NOW) == "9:30 am UTC on 3 March 2026"


def test_no_minimum_never_refuses():
    assert scoring_availability(minimum_minutes=0, first_opened_at=None, now=NOW).allowed


def test_the_minimum_counts_from_the_first_opening_and_rounds_the_time_up():
    opened = NOW - timedelta(minutes=20, seconds=30)
    refused = scoring_availability(minimum_minutes=60, first_opened_at=opened, now=NOW)
    assert not refused.allowed
    assert refused.reason == (
        "You can score this quiz from 10:10 am UTC — the course asks for at least "
        "60 minutes of study."
    )
    assert refused.retry_at == NOW.replace(hour=10, minute=10)
    later = opened + timedelta(minutes=60)
    assert scoring_availability(minimum_minutes=60, first_opened_at=opened, now=later).allowed
    one = scoring_availability(minimum_minutes=1, first_opened_at=NOW, now=NOW)
    assert one.reason.endswith("at least 1 minute of study.")


def test_the_time_scoring_opens_is_told_in_the_sponsors_zone():
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    assert clock_time(NOW.replace(hour=23, minute=5), NOW, pacific) == "3:05 pm PST"
    refused = scoring_availability(minimum_minutes=60, first_opened_at=NOW, now=NOW, zone=pacific)
    assert "from 2:30 am PST —" in refused.reason
