"""The run's instant: the one place the press reads the calendar clock.

A run (``press build``, ``press verify``, a test) takes one instant, :func:`now`, and passes it down;
each body derives its own "today" from it in its own timezone (:func:`today_in`). ``PRESS_NOW``
(or the CLI's ``--now``) sets the instant, so that a build is a function of its inputs and the
instant alone: a test, a rebuild of last month's site, or a preview of next month's.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import zoneinfo

from .problems import PressError

ENV = "PRESS_NOW"
UTC = dt.timezone.utc


def _clock_ns() -> int:
    """The calendar clock, in nanoseconds since the epoch. Nothing else in the package reads it."""
    return time.time_ns()


def parse_instant(text: str, source: str = ENV) -> dt.datetime:
    """``2026-11-21``, ``2026-11-21T18:30:00Z`` or ``2026-11-21T12:30:00-06:00`` as an aware UTC
    instant; a date alone is noon UTC that day (the same date in nearly every timezone)."""
    value = text.strip()
    try:
        if len(value) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(12), UTC)
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise PressError(
            f"{source}: {text!r} is not an instant — write a date (2026-11-21) or a time with its offset "
            "(2026-11-21T18:30:00Z, 2026-11-21T12:30:00-06:00)"
        )
    return instant.astimezone(UTC)


def now() -> dt.datetime:
    """The run's instant (aware, UTC): ``PRESS_NOW`` if set, else the clock. Call it once per run."""
    given = os.environ.get(ENV)
    if given:
        return parse_instant(given)
    return dt.datetime.fromtimestamp(_clock_ns() / 1e9, UTC)


def wall_ns() -> int:
    """The clock itself, for comparing with files' modification times (which follow the real clock,
    whatever instant the run is for) — never for what a page says."""
    return _clock_ns()


def at(day: dt.date) -> dt.datetime:
    """The instant that stands for ``day``: noon UTC (the same date in nearly every timezone)."""
    return dt.datetime.combine(day, dt.time(12), UTC)


def today_in(instant: dt.datetime, timezone: str) -> dt.date:
    """The date ``instant`` falls on in ``timezone`` (an IANA name; an unknown one counts as UTC,
    which the records' reader reports)."""
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return instant.astimezone(zone).date()


def days(instant: dt.datetime, zones) -> str:
    """Today's date in each of ``zones``: what a remembered answer must match to stand for ``instant``
    (pages change with the date in a body's own timezone, never within a day)."""
    return ",".join(f"{zone}={today_in(instant, zone).isoformat()}" for zone in sorted(set(zones)))


def zones_of(records) -> tuple[str, ...]:
    """The timezones of every body of ``records`` (its assemblies and council)."""
    bodies = [*records.assemblies.values(), *([records.council] if records.council is not None else [])]
    return tuple(sorted({body.timezone for body in bodies} | {"UTC"}))
