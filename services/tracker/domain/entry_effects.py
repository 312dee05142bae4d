"""What one timeline entry does to a commitment: the one rule for its columns, used by the
live commands, by the scan (kept, lapsed) and by replay, so the timeline alone rebuilds
every commitment (contract §3).

`apply_entry` returns the commitment after the entry, and the row's columns the domain
commitment does not hold (who owns it by role and name, the last update's time, the delay
reason, a pending request for a later deadline); None for an entry that changes nothing
(a notice: the entry is the whole change)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from schemas.policy import Policy
from services.tracker.domain.model import Commitment


class EntryMismatch(RuntimeError):
    """A change whose timeline entry would not rebuild it: a bug, refused before it is recorded."""


@dataclass(frozen=True)
class Applied:
    commitment: Commitment
    columns: dict[str, Any] = field(default_factory=dict)


def apply_entry(c: Commitment, kind: str, entry: Mapping[str, Any], at: dt.datetime, day: dt.date,
                policy: Policy, owner_email: str | None = None) -> Applied | None:
    """`day` is the London day of `at`. `owner_email` is the new owner's address, which a handover's
    entry never carries (the public topic must not name it); without it the row holds a placeholder
    naming the handover until the handover notice says who it is."""
    match kind:
        case "updated" if "owner" in entry:
            return _handover(c, entry["owner"], owner_email)
        case "updated":
            track = entry.get("track")
            delay = {"delay_reason": entry.get("delay_reason")} if track else {}
            return Applied(c.post_update(day, track), {"last_update_at": at, **delay})
        case "completed":
            return Applied(c.complete(day), {"last_update_at": at, "delay_reason": None})
        case "reopened":
            return Applied(c.reopen(day, policy.reopen_window_weeks * 7), {"delay_reason": None})
        case "extended":
            return Applied(c.extend(dt.date.fromisoformat(entry["to"]), day),
                           {"requested_due": None, "requested_reason": None})
        case "extension_requested":
            return Applied(c, {"requested_due": dt.date.fromisoformat(entry["to"]),
                               "requested_reason": entry["reason"]})
        case "extension_refused":
            return Applied(c, {"requested_due": None, "requested_reason": None})
        case "withdrawn":
            return Applied(c.withdraw())
        case "confirmed":
            return Applied(c.confirm(day))
        case "disputed":
            return Applied(c.dispute(day))
        case "kept":
            kept_on = entry.get("kept_on")
            return Applied(_kept_by_silence(c, dt.date.fromisoformat(kept_on) if kept_on else day))
        case "lapsed":
            return Applied(replace(c, status="lapsed"))
        case "owner_unreachable":
            return Applied(c.owner_unreachable(day))
    return None


def _kept_by_silence(c: Commitment, kept_on: dt.date) -> Commitment:
    """Silence made it kept: not checked by the panel. Lenient about the status before it, as the
    entry was always applied (an old timeline may hold one the strict transition would refuse)."""
    return replace(c, status="kept", kept_on=kept_on, kept_by="no_answer")


def awaiting_owner(handover: int) -> str:
    """The owner of a replayed row until its handover notice says who it is."""
    return f"handover:h{handover}"


def legacy_owner_digest(email: str) -> str:
    """What handover entries carried before they stopped naming the owner's address in any form."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _handover(c: Commitment, owner: Mapping[str, Any], owner_email: str | None) -> Applied:
    email = (owner_email or owner.get("email")
             or (f"sha256:{owner['email_sha256']}" if "email_sha256" in owner else awaiting_owner(c.handovers + 1)))
    return Applied(c.hand_over(email), {"owner_role": owner["role"], "owner_name": owner.get("name")})
