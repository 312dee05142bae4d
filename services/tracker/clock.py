"""The tracker's calendar is Europe/London (SPEC §4); instants stay UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(LONDON).date()
