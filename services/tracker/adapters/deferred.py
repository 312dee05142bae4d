"""The rows a scan batch writes, held until the batch ends and then written a
statement per table: notices, timeline entries (chained from each
commitment's last entry, read once for the batch) and outbox events, in the
order they were decided.

The batch holds its commitments' rows locked, so no one else can append to
their timelines meanwhile. A notice someone else recorded first (its unique
key) raises `AlreadyRecorded`: the caller rolls the batch back and decides it
again row by row, writing as it goes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common import outbox as outbox_mod
from services.common.db import insert_new
from services.tracker.adapters import timeline as chain
from services.tracker.adapters.store import notices, outbox, timeline


class AlreadyRecorded(Exception):
    """A notice of the batch was already in the table: decide the batch again, row by row."""


class Deferred:
    def __init__(self, session: Session, commitment_ids: list[str]) -> None:
        self.session = session
        self.heads = _heads(session, commitment_ids)
        self.notices: list[dict] = []
        self.entries: list[dict] = []
        self.events: list[dict] = []
        self.after: list[Callable[[], None]] = []

    def notice(self, row: dict, event: dict, after: Callable[[], None]) -> None:
        self.notices.append(row)
        self.events.append(event)
        self.after.append(after)

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
        for done in self.after:
            done()


def _heads(session: Session, commitment_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Each commitment's last timeline entry (seq, hash), in one query."""
    if not commitment_ids:
        return {}
    last = timeline.alias("last")
    top = select(func.max(last.c.seq)).where(last.c.commitment_id == timeline.c.commitment_id).scalar_subquery()
    rows = session.execute(select(timeline.c.commitment_id, timeline.c.seq, timeline.c.hash)
                           .where(timeline.c.commitment_id.in_(commitment_ids), timeline.c.seq == top))
    return {r.commitment_id: (r.seq, r.hash) for r in rows}
