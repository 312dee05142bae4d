"""One delivery (a notice to one recipient) and the rules of trying it: the claim a sender
holds while sending, what a send returns, when to try again and when to give up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas import Notice

# The lease must outlive the longest send, or another replica takes a row still being sent.
# A quarter more covers recording the result and replicas' clocks being slightly apart.
LEASE_MARGIN = 1.25


@dataclass(frozen=True)
class Claim:
    notice: Notice
    recipient: str
    attempts: int
    resend: bool  # the previous claim was abandoned mid-send (a crash)
    queued_at: dt.datetime
    token: str  # this claim's; a result is written only while it still holds the row


@dataclass(frozen=True)
class SendResult:
    ok: bool
    recoverable: bool = True  # worth trying again later
    error: str | None = None


def backoff(attempts: int, base: float = 2.0, cap: float = 600.0) -> dt.timedelta:
    return dt.timedelta(seconds=min(cap, base * 2 ** min(attempts - 1, 30)))


def effective_lease(configured: float | None, longest_send: float) -> dt.timedelta:
    """The configured lease, raised when a send could outlast it; unset: the shortest safe one."""
    return dt.timedelta(seconds=max(configured or 0.0, longest_send * LEASE_MARGIN))


def too_old(claim: Claim, now: dt.datetime, give_up_after: dt.timedelta) -> bool:
    """Still failing when the ladder's next step is due, or after the configured hours."""
    due = claim.notice.give_up_after
    return (due is not None and now >= due) or now - claim.queued_at > give_up_after


def gives_up(result: SendResult, claim: Claim, now: dt.datetime, give_up_after: dt.timedelta) -> bool:
    """A failed send is final when the server refused for good, or the delivery is too old."""
    return not result.recoverable or too_old(claim, now, give_up_after)


def held_for_digest(notice: Notice, digest_at: dt.datetime | None) -> bool:
    """With a digest time, reminders wait for it; everything else goes at once."""
    return digest_at is not None and notice.kind == "reminder"


def recipients_of(notice: Notice) -> list[str]:
    """Each recipient once, in the notice's order."""
    return list(dict.fromkeys(str(r) for r in notice.recipients))
