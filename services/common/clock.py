"""The one clock every service reads the time from.

Calendar dates are Europe/London (contract §4); instants stay UTC. Production
code gets a `Clock` from its service's bootstrap and never calls
`datetime.now()` itself, so tests run the real code on any simulated day by
handing it a `SimulatedClock`. Nothing (no environment variable) can move
the production clock.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


def london_today(now: dt.datetime | None = None) -> dt.date:
    """The London calendar date of an instant (of the system's now if none is given)."""
    return (now or dt.datetime.now(UTC)).astimezone(LONDON).date()


def utcnow() -> dt.datetime:
    """The system's now: for tests and tools that build data about today, not for services."""
    return dt.datetime.now(UTC)


class Clock:
    """The system clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)

    def today(self) -> dt.date:
        return london_today(self.now())


class SimulatedClock(Clock):
    """A clock that stands still until a test moves it; thread-safe."""

    def __init__(self, now: dt.datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("a simulated now needs a time zone")
        self._now, self._lock = now, threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, now: dt.datetime) -> None:
        with self._lock:
            self._now = now

    def advance(self, delta: dt.timedelta) -> None:
        with self._lock:
            self._now += delta

    def set_day(self, day: dt.date, hour: int = 9) -> None:
        """Move to `hour` o'clock London time on `day`."""
        self.set(dt.datetime.combine(day, dt.time(hour), LONDON).astimezone(UTC))


SYSTEM = Clock()
