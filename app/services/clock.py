"""China time: the one clock every date and time of the application is read from.

The court counts every deadline, books every appointment and dates every document in its own
zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai by default), whatever zone the server runs in.
Zones come from :mod:`zoneinfo`: flask_babel's ``get_timezone()`` returns a pytz zone, and
``replace(tzinfo=<pytz zone>)`` takes its first offset — Shanghai's local mean time, +08:06 —
which turned a 15:00 appointment into 14:54.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


def court_zone() -> ZoneInfo:
    """The court's time zone (``BABEL_DEFAULT_TIMEZONE``, Beijing time by default)."""
    from flask import current_app, has_app_context

    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(str(name or DEFAULT_ZONE))


def utc_now() -> dt.datetime:
    """The current instant, aware, in UTC (the seam tests freeze)."""
    return dt.datetime.now(dt.timezone.utc)


def now() -> dt.datetime:
    """The current time in the court's zone, aware."""
    return utc_now().astimezone(court_zone())


def today() -> dt.date:
    """Today in the court's zone: on a UTC server, 00:00–08:00 UTC is already tomorrow in Shanwei."""
    return now().date()


def court_time(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware court-time datetime; a naive value is read as court wall-clock time
    (what a clerk types into a form)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=court_zone())  # a zoneinfo zone: the real offset of that day
    return value.astimezone(court_zone())


def to_utc(value) -> Optional[dt.datetime]:
    """An aware UTC datetime from a typed one (naive = court time); ``None`` when ``value`` is no
    datetime or has no UTC equivalent (0001-01-01 east of Greenwich)."""
    if not isinstance(value, dt.datetime):
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=court_zone())
    try:
        return aware.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None


def stored_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite hands values back naive; they were stored as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def court_day(value: dt.datetime) -> dt.date:
    """The court's calendar day of a stored timestamp."""
    return stored_utc(value).astimezone(court_zone()).date()


def local_wall_time(value: dt.datetime) -> dt.datetime:
    """A stored timestamp as naive court wall-clock time (what a form field shows)."""
    return stored_utc(value).astimezone(court_zone()).replace(tzinfo=None)
