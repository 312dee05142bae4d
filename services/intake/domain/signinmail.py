"""The rules of sending a sign-in email, without I/O: its Message-ID, when a failed send is
tried again, and when it is given up (when its link stops working: a late email with a dead
link helps nobody)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.intake.domain.signin import utc

MESSAGE_NS = uuid.UUID("6f1d2b0e-8a4c-4d7e-9b35-0c2a7e5f4d91")
FIRST_WAIT = 2.0  # seconds after the first failure
LONGEST_WAIT = 60.0  # a link lives 15 minutes: never wait most of them out between tries
# The lease must outlive the longest send, or another replica takes a row still being sent.
LEASE_MARGIN = 1.25


@dataclass(frozen=True)
class Claim:
    """A sign-in email a sender holds while it sends it."""

    link_sha256: str  # the link's digest: the row's key
    recipient: str
    link: str
    message_id: str
    expires_at: dt.datetime
    attempts: int  # this one included
    resend: bool  # the previous claim was abandoned mid-send (a crash)
    token: str  # this claim's; a result is written only while it still holds the row
    language: str | None = None  # the panel's (en | cy | bilingual); None: not known (an admin's)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    permanent: bool = False  # the server refused for good: trying again cannot help
    error: str | None = None


def email_languages(panel_language: str | None) -> tuple[str, ...]:
    """The languages a sign-in email is written in, in order (contract §8.4): the panel's, or both,
    Welsh first, when the panel is bilingual; English for a link with no panel (an admin's), as the
    rest of an operator's tools speak."""
    if panel_language is None:
        return ("en",)
    return (panel_language,) if panel_language in ("en", "cy") else ("cy", "en")


def message_id(link_sha256: str) -> str:
    """One per link, derived, so a resend after a crash carries the same one and the mail client
    shows one email."""
    return f"<{uuid.uuid5(MESSAGE_NS, link_sha256)}@followthrough.invalid>"


def wait_after(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from FIRST_WAIT up to LONGEST_WAIT."""
    return dt.timedelta(seconds=min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(max(attempts, 1) - 1, 30)))


def next_try(attempts: int, now: dt.datetime, expires_at: dt.datetime, *,
             permanent: bool = False) -> dt.datetime | None:
    """When to try again after a failed send, or None to give up: the server refused for good,
    or the link will have expired by then."""
    if permanent:
        return None
    at = now + wait_after(attempts)
    return at if at < utc(expires_at) else None


def expired(claim: Claim, now: dt.datetime) -> bool:
    """A claimed email whose link no longer works is given up without sending it."""
    return utc(claim.expires_at) <= now


def lease(longest_send: float) -> dt.timedelta:
    return dt.timedelta(seconds=longest_send * LEASE_MARGIN)
