"""Each commitment's timeline, hash-chained so any edit shows (contract §3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tracker.adapters.store import timeline
from services.tracker.domain.hashchain import GENESIS, entry_hash, verify

__all__ = ["GENESIS", "append", "entries", "entry_hash", "first", "insert", "verify"]


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
