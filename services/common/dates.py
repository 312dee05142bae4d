"""Dates people send, kept within reach of today.

A date far from today is a typo or a probe, never a plan: 9999-12-31 made a pending
recommendation's response clock overflow (a 500), and an agreed deadline that far parks the
scan's row and breaks the panel's calendar. Every date field of every request model is a
`BoundedDate`: within `YEARS` years of today either way. Today is the wall clock's London date,
or `context={"today": ...}` given to `model_validate` (a test's simulated day).

What still arrives from elsewhere (an event on a topic, a row written before this rule) goes
through `add_days`, which stops at the calendar's ends instead of raising."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from services.common.clock import SYSTEM

YEARS = 10
SPAN = dt.timedelta(days=365 * YEARS + YEARS // 4)  # ten years, leap days included
ERROR_TYPE = "date_out_of_range"


def bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a request may name."""
    return today - SPAN, today + SPAN


def out_of_range(day: dt.date, today: dt.date) -> str | None:
    """Why `day` is refused (naming the bound and the fix), or None."""
    first, last = bounds(today)
    if first <= day <= last:
        return None
    return f"must be within {YEARS} years of today: use a date between {first.isoformat()} and {last.isoformat()}"


def _check(day: dt.date, info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today") or SYSTEM.today()
    why = out_of_range(day, today)
    if why:
        raise PydanticCustomError(ERROR_TYPE, why)
    return day


BoundedDate = Annotated[dt.date, AfterValidator(_check)]


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, stopping at 0001-01-01 and 9999-12-31 rather than raising."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min
