"""Each commitment's timeline, hash-chained so any edit shows (contract §3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tracker.adapters.store import timeline

GENESIS = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, kind: str, entry: dict[str, Any]) -> str:
    body = json.dumps({"seq": seq, "at": _iso(at), "kind": kind, "entry": entry},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def append(session: Session, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """Append an entry; the caller holds the commitment's row, so seq cannot race.
    Should it race anyway, the (commitment_id, seq) unique key refuses the second."""
    last = session.execute(
        select(timeline.c.seq, timeline.c.hash).where(timeline.c.commitment_id == commitment_id)
        .order_by(timeline.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    record = dict(seq=seq, at=at, kind=kind, entry=entry, prev_hash=prev, hash=entry_hash(prev, seq, at, kind, entry))
    insert(session, commitment_id, record)
    return record


def first(kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """The first record of a new commitment's chain (no read needed)."""
    return dict(seq=1, at=at, kind=kind, entry=entry, prev_hash=GENESIS, hash=entry_hash(GENESIS, 1, at, kind, entry))


def insert(session: Session, commitment_id: str, record: dict[str, Any]) -> None:
    session.execute(timeline.insert().values(commitment_id=commitment_id, **record))


def entries(session: Session, commitment_id: str) -> list:
    return session.execute(
        select(timeline).where(timeline.c.commitment_id == commitment_id).order_by(timeline.c.seq)
    ).all()


def verify(rows: Iterable) -> dict[str, Any]:
    """Recompute the chain; report the first entry that does not match."""
    prev, count = GENESIS, 0
    for row in rows:
        count += 1
        expected = entry_hash(prev, row.seq, row.at, row.kind, row.entry)
        if row.prev_hash != prev or row.hash != expected:
            return {"intact": False, "entries": count, "broken_at_seq": row.seq,
                    "explanation": f"entry {row.seq} does not match its hash: it or an earlier entry was changed"}
        prev = row.hash
    return {"intact": True, "entries": count, "head": prev}


def _iso(at: dt.datetime) -> str:
    # SQLite hands back naive datetimes; the chain must hash the same instant either way.
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(dt.timezone.utc).isoformat()
