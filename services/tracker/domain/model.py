"""Commitments as plain immutable data, and the transitions between statuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

from services.tracker.domain.rules import ACTIVE, FINISHED, Status

NoticeKind = Literal["reminder", "silent", "overdue", "escalation", "dispute", "review",
                     "response_due", "back_on_track", "handover", "changed", "extension_request",
                     "insisted"]
Audience = Literal["owner", "supervisor", "senior_lead", "board"]


def days_overdue(status: str, due: dt.date, today: dt.date) -> int:
    """`overdue` is a fact, not a status (SPEC §3): days past due while not finished."""
    return 0 if status in FINISHED else max(0, (today - due).days)


class TransitionError(ValueError):
    """A change that the commitment's status does not allow; the text says why."""


class ApprovalNeeded(TransitionError):
    """An extension this far past the first deadline needs the supervisor's approval."""

    def __init__(self, new_due: dt.date, limit: dt.date) -> None:
        super().__init__(f"new_due {new_due:%d %B %Y} is past {limit:%d %B %Y}, the latest date the owner "
                         "may set alone; the supervisor is asked to approve it")
        self.new_due, self.limit = new_due, limit


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
    sent_keys: frozenset[str] = field(default_factory=frozenset)

    def days_overdue(self, today: dt.date) -> int:
        return days_overdue(self.status, self.due, today)

    # Transitions: each returns the new state or raises TransitionError.

    def post_update(self, today: dt.date) -> "Commitment":
        self._require(ACTIVE, "post an update")
        status = "in_progress" if self.status in ("open", "disputed") else self.status
        return replace(self, status=status, last_update_on=today, update_count=self.update_count + 1)

    def complete(self, today: dt.date) -> "Commitment":
        self._require(ACTIVE, "mark it done")
        return replace(self, status="done", done_on=today, last_update_on=today, confirm_extra_days=0,
                       update_count=self.update_count + 1, completions=self.completions + 1)

    def confirm(self) -> "Commitment":
        self._require({"done"}, "confirm it")
        return replace(self, status="kept")

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
        if limit_days is not None and new_due > self.original_due + dt.timedelta(days=limit_days):
            raise ApprovalNeeded(new_due, self.original_due + dt.timedelta(days=limit_days))
        status = "in_progress" if self.status == "lapsed" else self.status
        return replace(self, due=new_due, due_version=self.due_version + 1, ladder_since=today, status=status)

    def hand_over(self, new_owner_email: str) -> "Commitment":
        if new_owner_email.lower() == self.contacts.owner.lower():
            raise TransitionError("this person already owns the commitment")
        return replace(self, contacts=replace(self.contacts, owner=new_owner_email),
                       handovers=self.handovers + 1)

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
