"""The time machine's stories (hypothesis strategies) and its model: the same story told with
the pure domain alone. The test that runs them against the real tracker is
tests/integration/tracker/test_time_machine.py."""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from services.tracker.domain import (
    ApprovalNeeded,
    Commitment,
    Contacts,
    PendingRecommendation,
    Policy,
    TransitionError,
    decide,
    decide_change,
    decide_early_warning,
    decide_extension_request,
    decide_handover,
    decide_insisted,
    decide_reopen,
    decide_response,
    settle,
    time_transition,
)

START = dt.date(2026, 1, 5)  # the calendar's first day; 400 days cross two clock changes each way
DAYS = 400
PANEL = "panel-tm"
LADDER = Contacts("unused", "sup@example.org", "lead@example.org", "board@example.org")
POLICY = Policy()

# The public contract (contract §3): which commitment event each change publishes.
ACTION_EVENT = {"update": "commitment.updated", "done": "commitment.completed", "extend": "commitment.extended",
                "handover": "commitment.updated", "withdraw": "commitment.withdrawn",
                "confirm": "commitment.confirmed", "dispute": "commitment.disputed", "approve": "commitment.extended"}
NOTICE_EVENT = {"reminder": "commitment.due_soon", "silent": "commitment.silent", "overdue": "commitment.overdue",
                "escalation": "commitment.escalated", "dispute": "commitment.escalated",
                "review": "commitment.review_due", "back_on_track": "commitment.back_on_track"}
TRANSITION_EVENT = {"kept": "commitment.confirmed", "lapsed": "commitment.escalated"}
# Closing the loop (issue 17): an owner declaring a significant delay, and the panel reopening a kept promise.
LOOP_EVENT = {"declare": "commitment.updated", "reopen": "commitment.reopened"}


# ---------------------------------------------------------------- the stories


@dataclass(frozen=True)
class Action:
    day: int
    kind: str
    days: int = 0  # extension: how far past that day the new deadline is


@dataclass(frozen=True)
class CommitmentStory:
    record_day: int
    due_offset: int  # due = record day + offset
    agreed_before: int  # agreed on this many days before min(due - 1, record day)
    update_every_days: int
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class PendingStory:
    record_day: int
    raised_before: int  # raised on this many days before the record day
    respond_within_days: int
    declined_on: int | None


def _actions(record_day: int) -> st.SearchStrategy:
    kinds = st.sampled_from(list(ACTION_EVENT))
    return st.lists(st.builds(Action, day=st.integers(record_day, DAYS - 1), kind=kinds,
                              days=st.integers(1, 200)), max_size=6)


@st.composite
def _loop_actions(draw, record_day: int, due_day: int) -> list[Action]:
    """Early significant-delay declarations (mostly in the weeks before the due day, some after), and a
    kept promise reopened: done, confirmed, then reopened some weeks later (inside the 26-week window or
    just past it), or reopened at random."""
    anytime = st.integers(record_day, DAYS - 1)
    low, high = max(record_day, due_day - 60), min(DAYS - 1, due_day + 5)
    days = st.one_of(st.integers(low, high), anytime) if low <= high else anytime
    out = [Action(day, "declare") for day in draw(st.lists(days, max_size=3))]
    if draw(st.booleans()):
        done = draw(st.integers(record_day, DAYS - 1))
        confirm = done + draw(st.integers(0, 40))
        reopen = confirm + draw(st.sampled_from([0, 84, 181, 182, 183, 190])) + draw(st.integers(0, 3))
        out += [Action(d, kind) for d, kind in ((done, "done"), (confirm, "confirm"), (reopen, "reopen"))
                if d < DAYS]
    out += [Action(day, "reopen") for day in draw(st.lists(st.integers(record_day, DAYS - 1), max_size=1))]
    return out


@st.composite
def commitment_story(draw) -> CommitmentStory:
    record_day = draw(st.integers(0, DAYS - 1))
    due_offset = draw(st.integers(-400, 400))
    actions = draw(_actions(record_day)) + draw(_loop_actions(record_day, record_day + due_offset))
    return CommitmentStory(record_day, due_offset, draw(st.integers(0, 120)),
                           draw(st.sampled_from([7, 14, 30, 60])),
                           tuple(sorted(actions, key=lambda a: a.day)))


@st.composite
def pending_story(draw) -> PendingStory:
    record_day = draw(st.integers(0, DAYS - 1))
    declined = draw(st.one_of(st.none(), st.integers(record_day, DAYS - 1)))
    return PendingStory(record_day, draw(st.integers(0, 120)), draw(st.integers(1, 90)), declined)


# ---------------------------------------------------------------- the panel's replies (right of reply)


@dataclass(frozen=True)
class ReplyStory:
    """A pending recommendation the police decline, the panel insists on (a new answer round with a
    new clock and its own response_due notices), and the police may decline again (and the panel
    insist again)."""

    record_day: int
    raised_before: int
    respond_within_days: int
    declined_on: int
    insists: tuple[tuple[int, int | None], ...]  # (days after the last decline, days to the next decline)


@st.composite
def reply_story(draw) -> ReplyStory:
    record_day = draw(st.integers(0, DAYS - 1))
    declined_on = draw(st.integers(record_day, DAYS - 1))
    rounds = draw(st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 90))),
                           min_size=1, max_size=3))
    return ReplyStory(record_day, draw(st.integers(0, 120)), draw(st.integers(1, 90)), declined_on, tuple(rounds))


def insist_model(model: "Model", rid: str, today: dt.date) -> None:
    """The panel insists on a decline: a new round, a new clock from today, the police told at once."""
    p = model.pending[rid]
    new_round = p.round + 1
    respond_by = today + dt.timedelta(days=POLICY.respond_within_days)
    n = decide_insisted(p.contacts, "declined", f"r{new_round}", "we insist", today, respond_by)
    model.owed.add((rid, n.key, n.kind, n.level, n.late))
    model.pending[rid] = replace(p, respond_by=respond_by, ladder_since=today, decided=False, round=new_round,
                                 sent_keys=p.sent_keys | {n.key})


@st.composite
def world(draw):
    """A scan batch size, a portfolio (of exactly 1, of the batch size, one less, one more, or
    anything up to 60) and the scan days."""
    batch = draw(st.integers(1, 12))
    size = draw(st.one_of(st.just(1), st.sampled_from([max(1, batch - 1), batch, batch + 1]), st.integers(1, 60)))
    items = draw(st.lists(st.one_of(commitment_story(), pending_story(), reply_story()), min_size=size,
                          max_size=size))
    scan_days = sorted(draw(st.sets(st.integers(0, DAYS - 1), min_size=1, max_size=30)))
    return batch, items, scan_days


# ---------------------------------------------------------------- the model


class Model:
    """The same story told with the pure domain alone."""

    def __init__(self) -> None:
        self.commitments: dict[str, Commitment] = {}
        self.pending: dict[str, PendingRecommendation] = {}
        self.rec_of: dict[str, str] = {}
        self.requested: dict[str, dt.date] = {}  # extensions waiting for the supervisor
        self.owed: set[tuple] = set()  # (subject id, key, kind, level, late)
        self.events: collections.Counter = collections.Counter()  # (commitment id, event type)

    def open(self, cid: str, rec_id: str, c: Commitment) -> None:
        self.commitments[cid], self.rec_of[cid] = c, rec_id
        self.events[(cid, "commitment.opened")] += 1

    def act(self, cid: str, action: Action, today: dt.date, new_owner: str) -> bool:
        if action.kind in LOOP_EVENT:
            return self._loop(cid, action, today)
        c = self.commitments[cid]
        new_due = today + dt.timedelta(days=action.days)
        change = {
            "update": lambda: c.post_update(today),
            "done": lambda: c.complete(today),
            "extend": lambda: c.extend(new_due, today, POLICY.extension_limit_days),
            "approve": lambda: c.extend(self.requested[cid], today),
            "handover": lambda: c.hand_over(new_owner),
            "withdraw": lambda: c.withdraw(),
            "confirm": lambda: c.confirm(today),
            "dispute": lambda: c.dispute(today),
        }[action.kind]
        try:
            after = change()
        except ApprovalNeeded:  # kept as a request: the supervisor is asked, the deadline stands
            self.requested[cid] = new_due
            self._record(cid, c, [decide_extension_request(c, new_due, "more time", today)])
            self.events[(cid, "commitment.updated")] += 1
            return True
        except (TransitionError, KeyError):  # KeyError: nothing to approve
            return False
        decided = {
            "extend": lambda: decide_change(c, after, "extend", "more time", today),
            "approve": lambda: decide_change(c, after, "extend", "more time", today),
            "withdraw": lambda: decide_change(c, after, "withdraw", "no longer possible", today),
            "handover": lambda: [decide_handover(c, after, "moved", today)],
        }.get(action.kind, list)()
        if action.kind in ("extend", "approve"):
            self.requested.pop(cid, None)
        self._record(cid, after, decided)
        self.events[(cid, ACTION_EVENT[action.kind])] += 1
        return True

    def _loop(self, cid: str, action: Action, today: dt.date) -> bool:
        """A significant delay declared (the supervisor told at once if before the due date, once per
        deadline version), or a kept promise reopened (owner and supervisor told, the ladder restarts)."""
        c = self.commitments[cid]
        try:
            if action.kind == "declare":
                after = c.post_update(today, "significant_delay")
                decided = decide_early_warning(after, "significant_delay", "Inspector", "the trainer is away", today)
            else:
                after = c.reopen(today, POLICY.reopen_window_weeks * 7)
                decided = [decide_reopen(c, after, "it stopped working", today)]
        except TransitionError:
            return False
        self._record(cid, after, decided)
        self.events[(cid, LOOP_EVENT[action.kind])] += 1
        return True

    def _record(self, cid: str, c: Commitment, decided: list) -> None:
        for n in decided:
            self.owed.add((self.rec_of[cid], n.key, n.kind, n.level, n.late))
        self.commitments[cid] = c.with_sent(*(n.key for n in decided))

    def scan(self, today: dt.date) -> None:
        for cid, c in self.commitments.items():
            for n in decide(c, today, POLICY):
                self.owed.add((self.rec_of[cid], n.key, n.kind, n.level, n.late))
                self.events[(cid, NOTICE_EVENT[n.kind])] += 1
                c = c.with_sent(n.key)
            status = time_transition(c, today, POLICY)
            if status:
                c = settle(c, status, POLICY)
                self.events[(cid, TRANSITION_EVENT[status])] += 1
            self.commitments[cid] = c
        for rid, p in self.pending.items():
            for n in decide_response(p, today, POLICY):
                self.owed.add((rid, n.key, n.kind, n.level, n.late))
                p = p.with_sent(n.key)
            self.pending[rid] = p

