"""What a receiver's answer to a delivery means: delivered, try again (maybe not before a given time), or
gone for good (410: the Standard Webhooks way to unsubscribe)."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from typing import Literal, Mapping

# A Retry-After so long it cannot be meant is read as this, so the arithmetic never overflows; the
# schedule caps what it honours far below.
_LONGEST_RETRY_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True)
class Outcome:
    kind: Literal["delivered", "retry", "gone"]
    reason: str
    retry_after: dt.timedelta | None = None


def judge(status: int | None, headers: Mapping[str, str], error: str | None, now: dt.datetime) -> Outcome:
    """The outcome of one POST: `status` None with `error` when no HTTP answer came (timeout, refused...)."""
    if status is None:
        return Outcome("retry", error or "no answer")
    if 200 <= status < 300:
        return Outcome("delivered", f"HTTP {status}")
    if status == 410:
        return Outcome("gone", "HTTP 410: the receiver says this subscription is gone")
    if 300 <= status < 400:
        # Redirects are never followed: the address they name was not checked, and could be a private one.
        location = header(headers, "location")
        return Outcome("retry", f"HTTP {status}: redirect to {location or 'an unnamed place'} not followed")
    if status in (429, 503):
        wait = parse_retry_after(header(headers, "retry-after"), now)
        if wait is not None:
            return Outcome("retry", f"HTTP {status} (Retry-After {int(wait.total_seconds())}s)", wait)
    return Outcome("retry", f"HTTP {status}")


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """A Retry-After header (RFC 9110 §10.2.3: seconds, or an HTTP date) as a wait from `now`; None when
    absent or unreadable. A date in the past is no wait."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # A very long number is not parsed at all (int() refuses thousands of digits): it is the cap anyway.
        seconds = int(value) if len(value) <= 12 else None
        return _LONGEST_RETRY_AFTER if seconds is None else min(dt.timedelta(seconds=seconds), _LONGEST_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in an HTTP date means UTC
        when = when.replace(tzinfo=dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return min(max(when - now, dt.timedelta(0)), _LONGEST_RETRY_AFTER)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name whatever its case: a plain dict from a test is as good as httpx's Headers."""
    name = name.lower()
    return next((value for key, value in headers.items() if key.lower() == name), None)
