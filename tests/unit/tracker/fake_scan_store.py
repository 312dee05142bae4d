"""The scan's store in memory (`ScanStore`, `ScanBatch` and both writers), so the scan's rules
run in milliseconds. It keeps the database's promises the scan relies on: a notice id is
unique, a batch and a savepoint undo everything on an error, parked rows are not claimed,
and a batched writer finds a notice recorded already only when it flushes."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from schemas.policy import Policy
from services.tracker.adapters.scan_writers import AlreadyRecorded
from services.tracker.adapters.timeline import GENESIS, entry_hash


class FakeScanStore:
    def __init__(self, *, batched: bool = True) -> None:
        self.batched = batched  # the writer for a whole batch, chosen when the store is built
        self.tables: dict[str, dict[str, dict]] = {"commitments": {}, "recommendations": {}, "panels": {}}
        self.notices: dict[str, dict] = {}
        self.timeline: list[dict] = []
        self.outbox: list[dict] = []
        self.batches: list[tuple[str, bool]] = []  # (due, isolated) of every batch opened

    @contextmanager
    def batch(self, due: str, *, isolated: bool):
        self.batches.append((due, isolated))
        with self._undo_on_error():
            yield FakeBatch(self, due, isolated)

    @contextmanager
    def _undo_on_error(self):
        saved = copy.deepcopy((self.tables, self.notices, self.timeline, self.outbox))
        try:
            yield
        except BaseException:
            self.tables, self.notices, self.timeline, self.outbox = saved
            raise

    def unpark(self, today: dt.date) -> int:
        parked = [row for name in ("commitments", "recommendations") for row in self.tables[name].values()
                  if row.get("parked_at") is not None]
        for row in parked:
            row.update(parked_at=None, parked_error=None, next_action_on=today)
        return len(parked)

    def entries(self, commitment_id: str) -> list[dict]:
        return [e for e in self.timeline if e["commitment_id"] == commitment_id]

    def add_commitment(self, due: dt.date, agreed_on: dt.date, **columns: Any) -> str:
        rid, cid = str(uuid.uuid4()), str(uuid.uuid4())
        self.tables["recommendations"][rid] = dict(
            id=rid, panel="p", title="A recommendation", raised_on=agreed_on, decision="agreed", response_round=1,
            respond_by=None, ladder_since=None, next_action_on=None, parked_at=None)
        self.tables["commitments"][cid] = dict(
            id=cid, recommendation_id=rid, panel="p", action="An action", done_means="It is done",
            owner_role="Inspector", owner_email="owner@example.org", owner_name=None,
            escalation=dict(supervisor="s@example.org", senior_lead="l@example.org", board="b@example.org"),
            agreed_on=agreed_on, due=due, original_due=due, due_version=1, update_every_days=30,
            ladder_since=agreed_on, status="open", last_update_at=None, last_update_on=None, update_count=0,
            done_on=None, disputes=0, disputed_on=None, completions=0, handovers=0, confirm_extra_days=0,
            requested_due=None, requested_reason=None, track=None, delay_reason=None, kept_on=None,
            reopened_on=None, reopenings=0, policy=Policy().model_dump(mode="json"), next_action_on=agreed_on,
            parked_at=None, parked_error=None) | columns
        at = dt.datetime.combine(agreed_on, dt.time(9), tzinfo=dt.timezone.utc)
        self.timeline.append(dict(commitment_id=cid, seq=1, at=at, kind="agreed", entry={}, prev_hash=GENESIS,
                                  hash=entry_hash(GENESIS, 1, at, "agreed", {})))
        return cid

    def add_pending(self, respond_by: dt.date, since: dt.date) -> str:
        self.tables["panels"]["p"] = dict(slug="p", police_lead={"email": "lead@example.org"},
                                          escalation=dict(supervisor="s@example.org", senior_lead="l@example.org",
                                                          board="b@example.org"))
        rid = str(uuid.uuid4())
        self.tables["recommendations"][rid] = dict(
            id=rid, panel="p", title="Pending", raised_on=since, decision="pending", response_round=1,
            respond_by=respond_by, ladder_since=since, next_action_on=since, parked_at=None)
        return rid


class FakeBatch:
    def __init__(self, store: FakeScanStore, due: str, isolated: bool) -> None:
        self.store, self.due, self.isolated = store, due, isolated

    @property
    def rows(self) -> dict[str, dict]:
        return self.store.tables[self.due]

    def claim(self, today: dt.date, limit: int) -> list:
        due = [r for r in self.rows.values()
               if r["next_action_on"] is not None and r["next_action_on"] <= today and r["parked_at"] is None]
        return [SimpleNamespace(**r) for r in sorted(due, key=lambda r: r["next_action_on"])[:limit]]

    def sent_keys(self, recommendation_ids: list[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for n in self.store.notices.values():
            if n["recommendation_id"] in recommendation_ids:
                found.setdefault(n["recommendation_id"], set()).add(n["key"])
        return {k: frozenset(v) for k, v in found.items()}

    def recommendations(self, ids: list[str]) -> dict:
        return {i: SimpleNamespace(**self.store.tables["recommendations"][i]) for i in ids}

    def panels(self, slugs: set[str]) -> dict:
        return {s: SimpleNamespace(**p) for s, p in self.store.tables["panels"].items() if s in slugs}

    def savepoint(self):
        return self.store._undo_on_error()

    def writer(self, rows):
        return BatchedFake(self.store) if self.store.batched and not self.isolated else ImmediateFake(self.store)

    def set_columns(self, commitment_id: str, values: dict) -> SimpleNamespace:
        self.store.tables["commitments"][commitment_id].update(values)
        return SimpleNamespace(**self.store.tables["commitments"][commitment_id])

    def move_dates(self, moves: list) -> None:
        for rid, nxt in moves:
            self.rows[rid]["next_action_on"] = nxt

    def park(self, row_id: str, error: str, now: dt.datetime) -> None:
        self.rows[row_id].update(parked_at=now, parked_error=error)


class ImmediateFake:
    def __init__(self, store: FakeScanStore) -> None:
        self.store = store

    def notice(self, row: dict, event: dict) -> bool:
        if row["id"] in self.store.notices:
            return False
        self.store.notices[row["id"]] = row
        self.store.outbox.append(event)
        return True

    def append(self, commitment_id: str, kind: str, entry: dict, at: dt.datetime) -> dict:
        chain = self.store.entries(commitment_id)
        seq, prev = len(chain) + 1, chain[-1]["hash"] if chain else GENESIS
        record = dict(seq=seq, at=at, kind=kind, entry=entry, prev_hash=prev,
                      hash=entry_hash(prev, seq, at, kind, entry))
        self.store.timeline.append({"commitment_id": commitment_id, **record})
        return record

    def event(self, event: dict) -> None:
        self.store.outbox.append(event)

    def flush(self) -> None:
        pass


class BatchedFake(ImmediateFake):
    def __init__(self, store: FakeScanStore) -> None:
        super().__init__(store)
        self.held: list[tuple[dict, dict]] = []

    def notice(self, row: dict, event: dict) -> bool:
        self.held.append((row, event))
        return True

    def flush(self) -> None:
        if any(row["id"] in self.store.notices for row, _ in self.held):
            raise AlreadyRecorded("some recorded already")
        for row, event in self.held:
            super().notice(row, event)
