"""The Standard Webhooks retry schedule: when a failed delivery is tried again, and when it is given up.

Ten attempts over about three days (75h35m05s in all) give a receiver that is down for a weekend its
events when it comes back, and stop before a dead one costs us more."""

from __future__ import annotations

import datetime as dt

_S, _M, _H = dt.timedelta(seconds=1), dt.timedelta(minutes=1), dt.timedelta(hours=1)
# The delay before attempt 1..10; attempt 1 is at once.
SCHEDULE: tuple[dt.timedelta, ...] = (0 * _S, 5 * _S, 5 * _M, 30 * _M, 2 * _H, 5 * _H, 10 * _H, 14 * _H, 20 * _H,
                                      24 * _H)
# A receiver's Retry-After is honoured up to a day: longer, and one header could park a subscription for good.
RETRY_AFTER_CAP = dt.timedelta(hours=24)
MAX_JITTER = 0.1


def next_attempt_at(attempts_made: int, failed_at: dt.datetime, *, retry_after: dt.timedelta | None = None,
                    jitter: float = 0.0) -> dt.datetime | None:
    """When the next attempt is due after `attempts_made` failed ones, or None when the schedule is spent.

    `jitter` (callers pass random.uniform(-0.1, 0.1)) spreads the retries of many deliveries that failed
    together, so a receiver coming back is not hit by all of them in the same second. A receiver's
    `retry_after` replaces the scheduled delay when it asks for longer (up to a day)."""
    if attempts_made < 1:
        raise ValueError(f"attempts_made must be at least 1 (a failed attempt was made), not {attempts_made}")
    if not -MAX_JITTER <= jitter <= MAX_JITTER:
        raise ValueError(f"jitter must be within ±{MAX_JITTER}, not {jitter}: pass random.uniform(-0.1, 0.1)")
    if attempts_made >= len(SCHEDULE):
        return None
    delay = SCHEDULE[attempts_made] * (1 + jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return failed_at + delay
