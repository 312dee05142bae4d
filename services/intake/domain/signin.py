"""The rules of signing in by email, without I/O: how long a link and a session last, what is
kept of their secrets (only a SHA-256), and why a link does not work, in words for the person
holding it."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

LINK_MINUTES = 15
SESSION_HOURS = 8
ROLES = ("admin", "facilitator")  # the tokens whose people may sign in
UTC = dt.timezone.utc
ALREADY_USED = "This sign-in link was already used. Each link works once: ask for a new one."


def digest(secret: str) -> str:
    """What is stored of a link's or a session's secret: a stolen database holds no working one."""
    return hashlib.sha256(secret.encode()).hexdigest()


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def link_refusal(expires_at: dt.datetime | None, used: bool, now: dt.datetime) -> str | None:
    """Why a link cannot sign anyone in (`expires_at` None: there is no such link), or None."""
    if expires_at is None:
        return "This sign-in link is not valid. Ask for a new one."
    if used:
        return ALREADY_USED
    if utc(expires_at) <= now:
        return f"This sign-in link has expired. Links work for {LINK_MINUTES} minutes: ask for a new one."
    return None


def wait_words(seconds: int) -> str:
    """A wait in whole minutes, as a person says it."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
