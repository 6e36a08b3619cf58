"""Template helpers shared by every page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Flask

from ceengine import localtime


def format_hours(hours: float | Decimal) -> str:
    """Show CE hours without trailing zeros: 1, 1.5, 0.75."""
    return f"{Decimal(str(hours)).normalize():f}"


def format_money(cents: int, currency: str) -> str:
    """Show an amount in cents as money, e.g. 1500 usd -> $15.00."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}.get(currency, "")
    amount = f"{cents / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def format_minutes(duration: timedelta | int | None) -> str:
    """Show a duration (or a number of minutes) as a person says it: 1 h 12 min, 45 min."""
    if duration is None:
        return "—"
    minutes = (
        int(duration.total_seconds() // 60) if isinstance(duration, timedelta) else int(duration)
    )
    if minutes < 1:
        return "under 1 min"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.add_template_filter(format_hours, "hours")
    app.add_template_filter(format_money, "money")
    # Dates and times in the sponsor's zone (CEENGINE_TIMEZONE); stored moments are UTC.
    app.add_template_filter(localtime.local_date, "local_date")
    app.add_template_filter(localtime.short_date, "short_date")
    app.add_template_filter(localtime.clock, "clock")
    app.add_template_global(localtime.zone_name, "time_zone")
    app.add_template_filter(format_minutes, "minutes")

    @app.context_processor
    def _site() -> dict:
        return {"site_name": app.config["SITE_NAME"]}
