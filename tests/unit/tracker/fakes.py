"""An in-memory storage for the tracker's command use cases (`usecases/unitofwork.py`): the same
promises as the database one, kept in dicts, so the use cases' rules are checked in milliseconds.

Each table is a dict of rows keyed as the real table is, filled with the real tables' column
defaults; the unique keys the use cases rely on are kept here too (an event id, a notice key, a
reply's decision). A unit of work that raises leaves the storage as it found it, as a rolled-back
transaction does. Rows are handed out as copies, so a use case sees its writes only by reading."""

from __future__ import annotations

import copy
import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Iterator

from sqlalchemy import Table

from services.tracker.adapters import store
from services.tracker.adapters.timeline import GENESIS, entry_hash
from tests.unit.tracker.fake_panel_chain import FakePanelChain


def _defaults(table: Table) -> dict[str, Any]:
    """What the database fills in for a column an insert leaves out."""
    out: dict[str, Any] = {}
    for column in table.columns:
        value = None
        if column.default is not None and column.default.is_scalar:
            value = column.default.arg
        elif column.server_default is not None and isinstance(getattr(column.server_default, "arg", None), str):
            value = int(column.server_default.arg)
        out[column.name] = value
    return out


class Rows:
    """One table: rows by key, inserted once."""

    def __init__(self, table: Table, key: str = "id") -> None:
        self.defaults, self.key, self.rows = _defaults(table), key, {}

    def insert(self, values: dict[str, Any]) -> bool:
        if values[self.key] in self.rows:
            return False
        self.rows[values[self.key]] = {**self.defaults, **values}
        return True

    def get(self, key: str) -> SimpleNamespace | None:
        row = self.rows.get(key)
        return SimpleNamespace(**copy.deepcopy(row)) if row is not None else None

    def update(self, key: str, values: dict[str, Any]) -> SimpleNamespace:
        self.rows[key].update(copy.deepcopy(values))
        return self.get(key)


class FakeCommitments:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.commitments

    def get(self, commitment_id, *, lock=False):
        return self.rows.get(commitment_id)

    def of_recommendation(self, recommendation_id):
        found = [k for k, r in self.rows.rows.items() if r["recommendation_id"] == recommendation_id]
        return self.rows.get(found[0]) if found else None

    def update(self, commitment_id, values):
        return self.rows.update(commitment_id, values)

    def add_new(self, rows):
        return {r["id"] for r in rows if self.rows.insert(r)}

    def give_a_day(self, panel, today):
        for row in self.rows.rows.values():
            if row["panel"] == panel and row["status"] == "done":
                row.update(confirm_extra_days=row["confirm_extra_days"] + 1, next_action_on=today)


class FakeRecommendations:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.recommendations

    def get(self, recommendation_id, *, lock=False):
        return self.rows.get(recommendation_id)

    def update(self, recommendation_id, values):
        return self.rows.update(recommendation_id, values)

    def add_new(self, rows):
        return {r["id"] for r in rows if self.rows.insert(r)}

    def decided(self, days):
        for rid, day in days.items():
            self.rows.update(rid, dict(decision="agreed", decided_on=day, next_action_on=None, parked_at=None,
                                       parked_error=None))


class FakePanels:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.panels

    def get(self, slug):
        return self.rows.get(slug)

    def save(self, slug, values):
        if not self.rows.insert({"slug": slug, **values}):
            self.rows.update(slug, values)


class FakeTimeline:
    def __init__(self, state: FakeStorage) -> None:
        self.entries = state.timeline

    def append(self, commitment_id, kind, entry, at):
        chain = self.entries.setdefault(commitment_id, [])
        seq, prev = (chain[-1]["seq"] + 1, chain[-1]["hash"]) if chain else (1, GENESIS)
        record = dict(seq=seq, at=at, kind=kind, entry=copy.deepcopy(entry), prev_hash=prev,
                      hash=entry_hash(prev, seq, at, kind, entry))
        chain.append(record)
        return record

    def add_first(self, records):
        for r in records:
            chain = self.entries.setdefault(r["commitment_id"], [])
            assert not chain, "(commitment_id, seq) is unique"
            chain.append({k: v for k, v in r.items() if k != "commitment_id"})


class FakeNotices:
    def __init__(self, state: FakeStorage) -> None:
        self.notices, self.outbox = state.notices, FakeOutbox(state)

    def sent_keys(self, recommendation_id):
        return frozenset(key for rid, key in self.notices if rid == recommendation_id)

    def commitment_of(self, notice_id):
        return next((n.commitment_id for n in self.notices.values() if n.id == notice_id), None)

    def add(self, notice, event):
        key = (notice["recommendation_id"], notice["key"])
        if key in self.notices:  # unique (recommendation_id, key)
            return False
        self.notices[key] = SimpleNamespace(**{**notice, "recipients": tuple(notice["recipients"])})
        self.outbox.add(event)
        return True


class FakeReplies:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.replies

    def exists(self, reply_id):
        return reply_id in self.rows.rows

    def add(self, values):
        decision = (values["recommendation_id"], values["decision"], values["round"])
        if any((r["recommendation_id"], r["decision"], r["round"]) == decision for r in self.rows.rows.values()):
            return False  # uq_tracker_replies_decision
        return self.rows.insert(values)


class FakeOutbox:
    def __init__(self, state: FakeStorage) -> None:
        self.events = state.events

    def add(self, event):
        self.add_many([event])

    def add_many(self, events):
        ids = {e["id"] for e in self.events}
        assert not ids & {e["id"] for e in events}, "an event id is the outbox's unique key"
        self.events.extend(copy.deepcopy(events))


class FakeInbox:
    def __init__(self, state: FakeStorage) -> None:
        self.processed, self.failures = state.processed, state.delivery_failures

    def first_seen(self, event_ids):
        new = set(event_ids) - self.processed
        self.processed |= new
        return new

    def delivery_failed(self, values):
        key = (values["notice_id"], values["recipient"])
        new = key not in self.failures
        self.failures.setdefault(key, values)
        return new


class FakeAccessFailures:
    def __init__(self, state: FakeStorage) -> None:
        self.rows, self.locks = state.access_failures, state.lock_days

    def forget_expired(self, now):
        for key in [k for k, r in self.rows.items() if r["until"] <= now]:
            del self.rows[key]

    def failures(self, panel, client, now):
        row = self.rows.get((panel, client))
        return row["failures"] if row and row["until"] > now else 0

    def count(self, panel, client, now, until, allowed):
        row = self.rows.get((panel, client))
        if row is None or row["until"] <= now:
            self.rows[(panel, client)] = {"failures": 1, "until": until}
            return 1
        if row["failures"] >= allowed:
            return None
        row["failures"] += 1
        if row["failures"] >= allowed:
            row["until"] = until
        return row["failures"]

    def first_lock_today(self, panel, today):
        self.locks -= {(p, d) for p, d in self.locks if p == panel and d < today}
        if (panel, today) in self.locks:
            return False
        self.locks.add((panel, today))
        return True


class FakeRateWindows:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.rate_windows

    def forget_expired(self, now):
        for key in [k for k, r in self.rows.items() if r["until"] <= now]:
            del self.rows[key]

    def hits(self, rule, client, bucket):
        return self.rows.get((rule, client, bucket), {"hits": 0})["hits"]

    def count(self, rule, client, bucket, fits, until):
        row = self.rows.setdefault((rule, client, bucket), {"hits": 0, "until": until})
        if row["hits"] and row["hits"] >= fits:
            return False
        row["hits"] += 1
        return True


class FakePulse:
    def __init__(self, state: FakeStorage) -> None:
        self.rows = state.pulse

    def count(self, panel, period, trust, kept):
        row = self.rows.setdefault((panel, period), {"panel": panel, "period": period, **_defaults(store.pulse)})
        row.update(panel=panel, period=period)
        for name in ("answers", f"trust_{trust}", f"kept_{kept}"):
            row[name] += 1
        return SimpleNamespace(**row)

    def show(self, panel, period):
        row = self.rows[(panel, period)]
        row.update({f"shown_{n}": row[n] for n in store.PULSE_COUNTS if n != "answers"},
                   shown_answers=row["kept_yes"] + row["kept_no"] + row["kept_not_sure"])
        return SimpleNamespace(**row)


class FakeUnitOfWork:
    def __init__(self, state: FakeStorage) -> None:
        self.commitments, self.recommendations = FakeCommitments(state), FakeRecommendations(state)
        self.panels, self.timeline, self.notices = FakePanels(state), FakeTimeline(state), FakeNotices(state)
        self.replies, self.outbox, self.inbox = FakeReplies(state), FakeOutbox(state), FakeInbox(state)
        self.access, self.pulse, self.rates = FakeAccessFailures(state), FakePulse(state), FakeRateWindows(state)
        self.panel_chain = FakePanelChain(state)


class FakeStorage:
    """The tables, and `commits`: how many units of work ended without raising."""

    TABLES = ("commitments", "recommendations", "panels", "replies", "timeline", "notices", "events", "processed",
              "delivery_failures", "access_failures", "lock_days", "pulse", "rate_windows", "panel_chain")

    def __init__(self) -> None:
        self.commitments, self.recommendations = Rows(store.commitments), Rows(store.recommendations)
        self.panels, self.replies = Rows(store.panels, key="slug"), Rows(store.replies)
        self.timeline: dict[str, list[dict]] = {}
        self.notices: dict[tuple[str, str], SimpleNamespace] = {}
        self.events: list[dict] = []
        self.processed: set[str] = set()
        self.delivery_failures: dict[tuple[str, str], dict] = {}
        self.access_failures: dict[tuple[str, str], dict] = {}
        self.lock_days: set[tuple[str, dt.date]] = set()
        self.pulse: dict[tuple[str, str], dict] = {}
        self.rate_windows: dict[tuple[str, str, int], dict] = {}
        self.panel_chain: dict[str, list[dict]] = {}
        self.commits = 0

    @contextmanager
    def begin(self) -> Iterator[FakeUnitOfWork]:
        before = copy.deepcopy({name: getattr(self, name) for name in self.TABLES})
        try:
            yield FakeUnitOfWork(self)
        except BaseException:
            for name, value in before.items():  # rolled back: the state as it was
                setattr(self, name, value)
            raise
        self.commits += 1

    def events_of(self, event_type: str) -> list[dict]:
        return [e for e in self.events if e["type"] == event_type]
