"""Per-client limits shared by every replica: hits counted in the database per rule, client and
clock window, by one INSERT .. ON CONFLICT DO UPDATE .. RETURNING, so two processes together let
through no more than one would, racing or not.

A sliding window made of two fixed ones (the `limits` library's "sliding window counter"): the
previous window's hits count for the share of it still inside the last `period` seconds, so a
burst across a window's edge is not twice the limit. Refused hits are not counted. The client is
a keyed hash, and a window's row is deleted once it no longer counts."""

from __future__ import annotations

import datetime as dt
import math

from services.common.clock import Clock
from services.tracker.usecases.unitofwork import Storage


def room(amount: int, previous: int, elapsed: float, period: int) -> int:
    """Hits the current window may hold: the limit less the previous window's hits still counted."""
    return amount - math.ceil(previous * (period - elapsed) / period)


def wait(amount: int, previous: int, current: int, elapsed: float, period: int) -> float:
    """Seconds until one more hit fits, for a client refused now (current window at or past its room)."""
    if current < amount:  # later in this window, enough of the previous one will have slid out
        return max(0.0, period - (amount - current - 1) * period / previous - elapsed)
    # The next window: this one's hits become the previous ones, and slide out in their turn.
    return period - elapsed + period - (amount - 1) * period / current


class Throttle:
    """`hit` counts one request against a limit of `amount` per `period` seconds."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage, self.clock = storage, clock

    def hit(self, rule: str, client: str, amount: int, period: int) -> float | None:
        """None when the hit is allowed (and counted); otherwise the seconds to wait."""
        now = self.clock.now()
        seconds = now.timestamp()
        bucket = int(seconds // period)
        elapsed = seconds - bucket * period
        with self.storage.begin() as uow:
            uow.rates.forget_expired(now)
            previous = uow.rates.hits(rule, client, bucket - 1)
            fits = room(amount, previous, elapsed, period)
            if fits > 0 and uow.rates.count(rule, client, bucket, fits, now + dt.timedelta(seconds=2 * period)):
                return None
            current = uow.rates.hits(rule, client, bucket)
        return wait(amount, previous, current, elapsed, period)

