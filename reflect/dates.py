"""Dates the rules are evaluated on: today (local time), unless `as_of` fixes another day
(tests, and questions such as "who could see this learner on the day of the panel?")."""

from __future__ import annotations

import contextvars
import datetime
from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

_AS_OF: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("rules_as_of", default=None)


def today() -> datetime.date:
    """The date the rules are evaluated on: today (local time), unless `as_of` says otherwise."""
    return _AS_OF.get() or timezone.localdate()


@contextmanager
def as_of(day: datetime.date):
    """Evaluate the rules as on `day` inside the block (allocations and panel windows)."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def current(prefix: str = "", start: str = "starts_on", end: str = "ends_on", on=None) -> Q:
    """Q for rows whose [start, end] range covers `on` (default today); an empty end is open."""
    on = on or today()
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def in_words(value, now=None) -> str:
    """A date or time as people say it, knowing the future: "today", "tomorrow", "in 3 weeks",
    "2 months ago" (Django's timesince/timeuntil, one unit). Wagtail's admin says "Just now"
    for every future moment, so a panel closing in January looked closed already."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        now = now or timezone.now()
        if abs((value - now).total_seconds()) < 60:
            return "just now"
        if value > now:
            return f"in {timeuntil(value, now, depth=1)}"
        return f"{timesince(value, now, depth=1)} ago"
    day = now.date() if isinstance(now, datetime.datetime) else (now or timezone.localdate())
    delta = (value - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if delta > 0:
        return f"in {timeuntil(value, day, depth=1)}"
    return f"{timesince(value, day, depth=1)} ago"


def add_working_days(start: datetime.date, days: int, holidays=()) -> datetime.date:
    """The `days`-th working day after `start` (`start` itself does not count): Saturdays,
    Sundays and the dates in `holidays` are not working days. `add_working_days(Friday, 1)`
    is the next Monday (or Tuesday when that Monday is a holiday)."""
    closed = set(holidays)
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            counted += 1
    return day


def parse_iso_dates(values) -> frozenset[datetime.date]:
    """Dates given as ISO strings ("2026-12-25") or dates; a comma-separated string works too.

    Raises:
        ValueError: one of them is not a date.
    """
    if isinstance(values, str):
        values = [v for v in (part.strip() for part in values.split(",")) if v]
    out = set()
    for value in values or ():
        is_date = isinstance(value, datetime.date)
        out.add(value if is_date else datetime.date.fromisoformat(str(value).strip()))
    return frozenset(out)
