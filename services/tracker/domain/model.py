"""Commitments as plain immutable data, and the transitions between statuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

from schemas.models import NoticeKind, Track
from services.common.dates import add_days, out_of_range
from services.tracker.domain.rules import ACTIVE, FINISHED, WORKING, Status

DELAYED: frozenset[str] = frozenset({"minor_delay", "significant_delay"})  # these need a delay_reason
Audience = Literal["owner", "supervisor", "senior_lead", "board"]
KeptBy = Literal["panel", "no_answer"]  # the panel confirmed it; or silence past the window counted as yes


def next_update_by(status: str, last_update_on: dt.date | None, agreed_on: dt.date, reopened_on: dt.date | None,
                   update_every_days: int) -> dt.date | None:
    """One rule for the page, the API and the silence ladder: they always show and use the same date."""
    if status not in WORKING:
        return None
    since = last_update_on or agreed_on
    if reopened_on and reopened_on > since:
        since = reopened_on
    return add_days(since, update_every_days)


def days_overdue(status: str, due: dt.date, today: dt.date) -> int:
    """`overdue` is a fact, not a status (contract §3): days past due while not finished."""
    return 0 if status in FINISHED else max(0, (today - due).days)


class TransitionError(ValueError):
    """A change that the commitment's status does not allow; the text says why."""


class ReopenWindowClosed(TransitionError):
    """A kept promise can be reopened only within the policy's window after it was kept."""

    def __init__(self, closed_on: dt.date) -> None:
        super().__init__(f"the time to reopen this promise ended on {closed_on:%d %B %Y}; ask your youth worker "
                         "to record what is wrong as a new recommendation instead")
        self.closed_on = closed_on


class ApprovalNeeded(TransitionError):
    """An extension this far past the first deadline needs the supervisor's approval."""

    def __init__(self, new_due: dt.date, limit: dt.date) -> None:
        super().__init__(f"new_due {new_due:%d %B %Y} is past {limit:%d %B %Y}, the latest date the owner "
                         "may set alone; the supervisor is asked to approve it")
        self.new_due, self.limit = new_due, limit


# What to do instead when a promise that is not kept is "reopened".
_NOT_REOPENABLE = {
    "done": "If it is not done, answer \"Did they do it?\" with no instead.",
    "withdrawn": "It was dropped; ask your youth worker to record it as a new recommendation.",
    "in_progress": "It is already being worked on; its page shows when the next news is due.",
}


@dataclass(frozen=True)
class Contacts:
    owner: str
    supervisor: str
    senior_lead: str
    board: str

    def emails(self, audience: tuple[Audience, ...]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for who in audience:
            seen.setdefault(getattr(self, who), None)
        return tuple(seen)


@dataclass(frozen=True)
class Commitment:
    id: str
    status: Status
    agreed_on: dt.date
    due: dt.date
    original_due: dt.date
    update_every_days: int
    ladder_since: dt.date  # first day the current due version was known to us
    contacts: Contacts
    due_version: int = 1
    last_update_on: dt.date | None = None
    update_count: int = 0
    done_on: dt.date | None = None
    disputes: int = 0
    disputed_on: dt.date | None = None
    completions: int = 0
    handovers: int = 0
    confirm_extra_days: int = 0  # the panel was locked out of its check this many times
    track: Track | None = None  # the owner's latest word on how it is going
    kept_on: dt.date | None = None  # the day it last became kept (checked, or silence counted as yes)
    kept_by: KeptBy | None = None  # how it last became kept: the panel's check, or no answer in time
    reopened_on: dt.date | None = None  # the day the panel last reopened it
    reopenings: int = 0  # how many times the panel reopened it after it was kept
    owner_unreachable_since: dt.date | None = None  # the owner's mail failed: this episode began then
    sent_keys: frozenset[str] = field(default_factory=frozenset)

    def days_overdue(self, today: dt.date) -> int:
        return days_overdue(self.status, self.due, today)

    # Transitions: each returns the new state or raises TransitionError.

    def post_update(self, today: dt.date, track: Track | None = None) -> "Commitment":
        self._require(ACTIVE, "post an update")
        status = "in_progress" if self.status in ("open", "disputed") else self.status
        return replace(self, status=status, last_update_on=today, update_count=self.update_count + 1,
                       track=track or self.track)

    def complete(self, today: dt.date) -> "Commitment":
        self._require(ACTIVE, "mark it done")
        return replace(self, status="done", done_on=today, last_update_on=today, confirm_extra_days=0,
                       update_count=self.update_count + 1, completions=self.completions + 1, track=None)

    def confirm(self, today: dt.date) -> "Commitment":
        self._require({"done"}, "confirm it")
        return replace(self, status="kept", kept_on=today, kept_by="panel")

    def kept_by_silence(self, kept_on: dt.date) -> "Commitment":
        """The panel did not answer within the confirmation window: counted as kept, but not checked."""
        self._require({"done"}, "count it as kept")
        return replace(self, status="kept", kept_on=kept_on, kept_by="no_answer")

    def reopen(self, today: dt.date, window_days: int) -> "Commitment":
        """The panel says a kept promise is no longer working: it is worked on again, due one update
        cycle from today (a new deadline version, so the ladder starts again from its first step)."""
        if self.status != "kept":
            raise TransitionError(f"cannot reopen it: the commitment is {self.status}, and only a kept promise can be "
                                  f"reopened. {_NOT_REOPENABLE.get(self.status, _NOT_REOPENABLE['in_progress'])}")
        kept_on = self.kept_on or self.done_on or today
        closes = add_days(kept_on, window_days)
        if today > closes:
            raise ReopenWindowClosed(closes)
        return replace(self, status="in_progress", due=add_days(today, self.update_every_days),
                       due_version=self.due_version + 1, ladder_since=today, reopened_on=today,
                       reopenings=self.reopenings + 1, done_on=None, track=None, kept_by=None)

    def next_update_by(self) -> dt.date | None:
        """The public date of the next progress update (contract §5): the update cadence from the last
        update, the agreement or the last reopening. Only while the work is going on; the silence
        ladder nudges an owner who misses it (past the due date the overdue ladder speaks)."""
        return next_update_by(self.status, self.last_update_on, self.agreed_on, self.reopened_on,
                              self.update_every_days)

    def dispute(self, today: dt.date) -> "Commitment":
        self._require({"done"}, "dispute it")
        return replace(self, status="disputed", disputes=self.disputes + 1, disputed_on=today)

    def extend(self, new_due: dt.date, today: dt.date, limit_days: int | None = None) -> "Commitment":
        """Move the deadline. With `limit_days`, a date further than that past the first
        deadline raises ApprovalNeeded: only the supervisor's approval (no limit) moves it."""
        self._require(ACTIVE, "move its deadline")
        if new_due <= today:
            raise TransitionError("new_due must be after today: an extension gives more time")
        if new_due == self.due:
            raise TransitionError("new_due is the current due date; pick a different date")
        if why := out_of_range(new_due, today):  # a far date stored before requests were bounded
            raise TransitionError(f"new_due {why}")
        if limit_days is not None and new_due > add_days(self.original_due, limit_days):
            raise ApprovalNeeded(new_due, add_days(self.original_due, limit_days))
        status = "in_progress" if self.status == "lapsed" else self.status
        return replace(self, due=new_due, due_version=self.due_version + 1, ladder_since=today, status=status)

    def hand_over(self, new_owner_email: str) -> "Commitment":
        if new_owner_email.lower() == self.contacts.owner.lower():
            raise TransitionError("this person already owns the commitment")
        return replace(self, contacts=replace(self.contacts, owner=new_owner_email),
                       handovers=self.handovers + 1, owner_unreachable_since=None)

    def owner_unreachable(self, today: dt.date) -> "Commitment":
        """The owner's mail failed: flagged from the first failure of this episode until a handover."""
        return self if self.owner_unreachable_since else replace(self, owner_unreachable_since=today)

    def withdraw(self) -> "Commitment":
        self._require(ACTIVE, "withdraw it")
        return replace(self, status="withdrawn")

    def with_sent(self, *keys: str) -> "Commitment":
        return replace(self, sent_keys=self.sent_keys | frozenset(keys))

    def _require(self, allowed: frozenset[str], what: str) -> None:
        if self.status not in allowed:
            raise TransitionError(f"cannot {what}: the commitment is {self.status}")


@dataclass(frozen=True)
class PendingRecommendation:
    """A recommendation the police have not yet agreed or declined."""

    id: str
    respond_by: dt.date
    ladder_since: dt.date
    contacts: Contacts  # the panel's ladder; owner = the panel's police lead
    decided: bool = False
    sent_keys: frozenset[str] = field(default_factory=frozenset)
    round: int = 1  # one more each time the panel insists on a decline: a new clock, new notice keys
    in_principle: bool = False  # yes in principle: `respond_by` is its decide_by, a new clock with its own keys

    def with_sent(self, *keys: str) -> "PendingRecommendation":
        return replace(self, sent_keys=self.sent_keys | frozenset(keys))


@dataclass(frozen=True)
class Notice:
    """A decision that people must be told something; the adapter sends it."""

    key: str  # unique per commitment: kind, level and due version / epoch
    kind: NoticeKind
    level: int
    step_on: dt.date  # the day this step fell due
    late: bool  # decided after its day (catch-up after downtime)
    reason: str
    audience: tuple[Audience, ...]
    recipients: tuple[str, ...]
    days_overdue: int = 0
