"""The rules of signing in by email, without I/O: how long a link and a session last, what is
kept of their secrets (only a SHA-256), and why a link does not work, in words for the person
holding it."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from services.common.i18n import N_

LINK_MINUTES = 15
SESSION_HOURS = 8
ROLES = ("admin", "facilitator")  # the tokens whose people may sign in
UTC = dt.timezone.utc
# Refusals are the English text, marked for the catalogue; the page translates them and fills
# %(minutes)s (`refusal_words`).
ALREADY_USED = N_("This sign-in link was already used. Each link works once: ask for a new one.")
NOT_VALID = N_("This sign-in link is not valid. Ask for a new one.")
EXPIRED = N_("This sign-in link has expired. Links work for %(minutes)s minutes: ask for a new one.")
ACCESS_ENDED = N_("The access behind this link has ended. Ask an admin for a new token.")


def digest(secret: str) -> str:
    """What is stored of a link's or a session's secret: a stolen database holds no working one."""
    return hashlib.sha256(secret.encode()).hexdigest()


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def link_refusal(expires_at: dt.datetime | None, used: bool, now: dt.datetime) -> str | None:
    """Why a link cannot sign anyone in (`expires_at` None: there is no such link), or None."""
    if expires_at is None:
        return NOT_VALID
    if used:
        return ALREADY_USED
    if utc(expires_at) <= now:
        return EXPIRED
    return None


def wait_minutes(seconds: int) -> int:
    """A wait in whole minutes, as a person says it (at least one)."""
    return max(1, math.ceil(seconds / 60))
