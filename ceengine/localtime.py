"""Dates and times as the sponsor reads them: in CEENGINE_TIMEZONE, never the server's.

Every moment is stored in UTC. A certificate, a report filter or a roster speaks of days, and
a day is the sponsor's: a clinician in California who finishes at 5 pm on December 31 finished
on December 31, though it is already January 1 in UTC. Naive datetimes (SQLite hands stored
timestamps back without a zone) are UTC. Outside an app the zone is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context


def zone_named(name: str) -> tzinfo:
    """The IANA zone called `name`, or ValueError saying why it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"CEENGINE_TIMEZONE={name!r} is not an IANA time zone; "
            "give one such as America/Los_Angeles, America/New_York or Europe/London."
        ) from error


def zone_name() -> str:
    """The name of the sponsor's zone (CEENGINE_TIMEZONE), or 'UTC'."""
    return (current_app.config.get("TIMEZONE") if has_app_context() else None) or "UTC"


def zone() -> tzinfo:
    """The sponsor's zone."""
    return ZoneInfo(zone_name())


def local(moment: datetime) -> datetime:
    """The moment in the sponsor's zone (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def day_of(moment: datetime) -> date:
    """The sponsor's calendar day a moment falls on."""
    return local(moment).date()


def today() -> date:
    """The sponsor's calendar day now."""
    return day_of(datetime.now(UTC))


def local_date(moment: datetime) -> str:
    """The sponsor's day of a moment, as printed on certificates: December 31, 2026."""
    day = local(moment)
    return f"{day:%B} {day.day}, {day.year}"


def short_date(moment: datetime) -> str:
    """The sponsor's day of a moment, short, for tables: 31 Dec 2026."""
    return f"{local(moment):%d %b %Y}"


def clock(moment: datetime) -> str:
    """The time of day in the sponsor's zone, with the zone: 5:00 pm PST."""
    when = local(moment)
    hour = when.hour % 12 or 12
    return f"{hour}:{when:%M} {'am' if when.hour < 12 else 'pm'} {when.tzname()}"


def start_of_day(day: date) -> datetime:
    """The UTC moment the sponsor's day begins (for 'from this day' filters)."""
    try:
        return datetime.combine(day, time(), zone()).astimezone(UTC)
    except OverflowError:  # the first or last day a datetime can hold, east or west of UTC
        return (datetime.min if day.year == date.min.year else datetime.max).replace(tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    """The UTC moment the sponsor's day ends, exclusive: the start of the next day."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return start_of_day(day + timedelta(days=1))
