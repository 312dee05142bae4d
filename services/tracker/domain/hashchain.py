"""A hash chain, as a pure rule (contract §3): each entry's hash covers the one before it, so an edit to any
entry, or to its place, shows when the chain is recomputed. The commitments' timelines and the panels'
chains (replies, trust-pulse steps) are both made of these."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable

GENESIS = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, kind: str, entry: dict[str, Any]) -> str:
    body = json.dumps({"seq": seq, "at": _iso(at), "kind": kind, "entry": entry},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def link(prev: tuple[int, str] | None, at: dt.datetime, kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The record after `prev` ((seq, hash) of the chain's head, None for an empty chain)."""
    seq, prev_hash = (prev[0] + 1, prev[1]) if prev else (1, GENESIS)
    return dict(seq=seq, at=at, kind=kind, entry=entry, prev_hash=prev_hash,
                hash=entry_hash(prev_hash, seq, at, kind, entry))


def verify(rows: Iterable) -> dict[str, Any]:
    """Recompute the chain; report the first entry that does not match."""
    prev, count = GENESIS, 0
    for row in rows:
        count += 1
        expected = entry_hash(prev, row.seq, row.at, row.kind, row.entry)
        if row.prev_hash != prev or row.hash != expected:
            return broken(count, row.seq,
                          f"entry {row.seq} does not match its hash: it or an earlier entry was changed")
        prev = row.hash
    return {"intact": True, "entries": count, "head": prev}


def broken(entries: int, seq: int | None, explanation: str) -> dict[str, Any]:
    return {"intact": False, "entries": entries, "broken_at_seq": seq, "explanation": explanation}


def _iso(at: dt.datetime) -> str:
    # SQLite hands back naive datetimes; the chain must hash the same instant either way.
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(dt.timezone.utc).isoformat()
