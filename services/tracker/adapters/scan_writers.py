"""The two ways a scan batch writes what it decided (the use case's `ScanWriter`):

- `ImmediateWriter` writes each notice, timeline entry and event as it is decided, and learns
  at once whether a notice is new (its unique key): a row in its own savepoint needs that;
- `BatchedWriter` holds them until the batch ends and then writes a statement per table:
  notices, timeline entries (chained from each commitment's last entry, read once for the
  batch) and outbox events, in the order they were decided. The batch holds its commitments'
  rows locked, so no one else can append to their timelines meanwhile. A notice someone else
  recorded first raises `AlreadyRecorded` at `flush`: the caller rolls the batch back and
  decides it again row by row, with an immediate writer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common import outbox as outbox_mod
from services.common.db import insert_new, insert_once
from services.tracker.adapters import timeline as chain
from services.tracker.adapters.store import notices, outbox, timeline


class AlreadyRecorded(Exception):
    """A notice of the batch was already in the table: decide the batch again, row by row."""


class ImmediateWriter:
    def __init__(self, session: Session) -> None:
        self.session = session

    def notice(self, row: dict[str, Any], event: dict) -> bool:
        if not insert_once(self.session, notices, **row):
            return False
        outbox_mod.add(self.session, outbox, event)
        return True

    def append(self, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        return chain.append(self.session, commitment_id, kind, entry, at)

    def event(self, event: dict) -> None:
        outbox_mod.add(self.session, outbox, event)

    def flush(self) -> None:
        """Everything is written already."""


class BatchedWriter:
    def __init__(self, session: Session, commitment_ids: list[str]) -> None:
        self.session = session
        self.heads = _heads(session, commitment_ids)
        self.notices: list[dict] = []
        self.entries: list[dict] = []
        self.events: list[dict] = []

    def notice(self, row: dict[str, Any], event: dict) -> bool:
        self.notices.append(row)
        self.events.append(event)
        return True  # checked at flush

    def append(self, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        """As `timeline.append`, from the chain's head held here."""
        seq, prev = self.heads.get(commitment_id, (0, chain.GENESIS))
        record = dict(seq=seq + 1, at=at, kind=kind, entry=entry, prev_hash=prev,
                      hash=chain.entry_hash(prev, seq + 1, at, kind, entry))
        self.heads[commitment_id] = (seq + 1, record["hash"])
        self.entries.append({"commitment_id": commitment_id, **record})
        return record

    def event(self, event: dict) -> None:
        self.events.append(event)

    def flush(self) -> None:
        if self.notices and len(insert_new(self.session, notices, self.notices)) != len(self.notices):
            raise AlreadyRecorded(f"{len(self.notices)} notices, some recorded already")
        if self.entries:
            self.session.execute(timeline.insert(), self.entries)
        outbox_mod.add_many(self.session, outbox, self.events)


def _heads(session: Session, commitment_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Each commitment's last timeline entry (seq, hash), in one query."""
    if not commitment_ids:
        return {}
    last = timeline.alias("last")
    top = select(func.max(last.c.seq)).where(last.c.commitment_id == timeline.c.commitment_id).scalar_subquery()
    rows = session.execute(select(timeline.c.commitment_id, timeline.c.seq, timeline.c.hash)
                           .where(timeline.c.commitment_id.in_(commitment_ids), timeline.c.seq == top))
    return {r.commitment_id: (r.seq, r.hash) for r in rows}
