"""The auditor's rule on an in-memory store: a notice is missing once it has been owed for longer
than two scan intervals by the time the store remembers, whichever Auditor object first saw it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from schemas.policy import Policy
from services.common.clock import SimulatedClock
from services.tracker.domain import Commitment, Contacts
from services.tracker.usecases.auditor import Auditor, reckon

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone.utc)
TODAY = NOW.date()
WHO = Contacts("owner@example.org", "sup@example.org", "senior@example.org", "board@example.org")
GRACE = dt.timedelta(seconds=120)


def lapsed(cid: str) -> Commitment:
    """First seen today, 45 days late: one notice owed, at the highest step reached."""
    due = TODAY - dt.timedelta(days=45)
    return Commitment(id=cid, status="open", agreed_on=due - dt.timedelta(days=20), due=due, original_due=due,
                      update_every_days=30, ladder_since=TODAY, contacts=WHO)


class FakeAuditStore:
    """Rows as (subject, its next date); the owed-since table as a dict with its key kept unique."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[Commitment, dt.date | None]] = {}
        self.since: dict[tuple[str, str], dt.datetime] = {}
        self.read: list[str] = []  # the ids of every row a pass read

    def subjects(self, today, followed=frozenset()):
        for cid, (c, nxt) in self.rows.items():
            if today is None or (nxt is not None and nxt <= today) or cid in followed:
                self.read.append(cid)
                yield cid, (lambda c=c: (self._raise_if_bad(c), Policy()))

    @staticmethod
    def _raise_if_bad(c: Commitment) -> Commitment:
        if c.id.startswith("bad"):
            raise ValueError("unreadable policy")
        return c

    def owed_since(self):
        return dict(self.since)

    def remember(self, new, gone):
        for key, at in new.items():
            self.since.setdefault(key, at)  # insert-once: a time already kept stays
        for key in gone:
            self.since.pop(key, None)

    def parked(self):
        return []


def auditor(store: FakeAuditStore, clock: SimulatedClock) -> Auditor:
    return Auditor(None, None, clock, scan_interval_s=60, store=store)


def test_a_new_auditor_on_the_same_store_counts_a_notice_owed_before_it_existed():
    store, clock = FakeAuditStore(), SimulatedClock(NOW)
    store.rows["c1"] = (lapsed("c1"), TODAY)
    assert auditor(store, clock).run() == 0
    clock.advance(dt.timedelta(seconds=121))
    assert auditor(store, clock).run() == 1


def test_a_notice_is_not_missing_within_the_grace_and_is_forgotten_once_recorded():
    store, clock = FakeAuditStore(), SimulatedClock(NOW)
    store.rows["c1"] = (lapsed("c1"), TODAY)
    audit = auditor(store, clock)
    audit.run()
    clock.advance(dt.timedelta(seconds=120))
    assert audit.run() == 0  # exactly two intervals: the scanner may still be deciding it
    (key,) = [k for _, k in store.since]
    store.rows["c1"] = (lapsed("c1").with_sent(key), TODAY + dt.timedelta(days=30))
    assert audit.run() == 0 and store.since == {}


def test_a_row_seen_owing_is_read_after_its_date_moved_on_and_an_unseen_not_due_row_is_not():
    store, clock = FakeAuditStore(), SimulatedClock(NOW)
    store.rows["c1"] = (lapsed("c1"), TODAY)
    store.rows["quiet"] = (lapsed("quiet"), TODAY + dt.timedelta(days=3))
    audit = auditor(store, clock)
    audit.run()
    store.rows["c1"] = (lapsed("c1"), TODAY + dt.timedelta(days=30))  # moved on, notice not recorded
    clock.advance(dt.timedelta(seconds=121))
    store.read.clear()
    assert audit.run() == 1 and store.read == ["c1"]


def test_an_unreadable_row_is_not_counted_and_does_not_stop_the_others():
    store, clock = FakeAuditStore(), SimulatedClock(NOW)
    store.rows["bad"] = (lapsed("bad"), TODAY)
    store.rows["c1"] = (lapsed("c1"), TODAY)
    auditor(store, clock).run()
    clock.advance(dt.timedelta(seconds=121))
    assert auditor(store, clock).run() == 1 and {s for s, _ in store.since} == {"c1"}


KEYS = st.tuples(st.sampled_from("abc"), st.sampled_from(["overdue:1:v1", "escalation:2:v1"]))
AGES = st.integers(min_value=0, max_value=400).map(lambda s: NOW - dt.timedelta(seconds=s))


@given(owed=st.sets(KEYS), since=st.dictionaries(KEYS, AGES))
def test_the_rule_remembers_what_is_owed_keeps_first_times_and_counts_the_old_ones(owed, since):
    r = reckon(owed, since, NOW, GRACE)
    kept = {k: v for k, v in since.items() if k not in r.gone} | r.new
    assert set(kept) == owed
    assert all(kept[k] == since[k] for k in owed & since.keys())  # the first time seen stays
    assert r.missing == sorted(k for k in owed if NOW - kept[k] > GRACE)
