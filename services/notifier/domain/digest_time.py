"""When the daily reminder digest goes: a London time of day."""

from __future__ import annotations

import datetime as dt

from services.common.clock import LONDON


def next_digest(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next time of day `at` in London, after `now`."""
    local = now.astimezone(LONDON)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=LONDON)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=LONDON)
    return candidate.astimezone(dt.timezone.utc)
