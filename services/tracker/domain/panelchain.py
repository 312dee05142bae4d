"""What a panel said and what its page shows, as hash-chained entries (contract §3), and the audit that
compares them, as pure rules.

Each reply to a decision is an entry in its recommendation's chain; each step of the trust pulse (the
shown counts moving) is an entry in the panel's pulse chain. A chain follows one Kafka key (replies are
keyed by recommendation, pulses by panel), so `followthrough replay` appends them in the same order and
rebuilds the same hashes. A pulse-step entry holds only what was published, never one answer.

The audit recomputes every chain, then checks the stored rows the pages read (the replies, the shown
pulse counts) against the entries, both ways: an edited or deleted row shows as well as an edited entry."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping, Sequence

from services.tracker.domain.hashchain import broken, verify

REPLY = "reply"
PULSE_STEP = "pulse_step"
TRUST = (1, 2, 3, 4, 5)
KEPT = ("yes", "no", "not_sure")


def reply_chain(recommendation_id: str) -> str:
    return f"replies:{recommendation_id}"


def pulse_chain(panel: str) -> str:
    return f"pulse:{panel}"


def reply_entry(row: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(ref, entry) of a reply, from its row's values: the reply's id is its ref."""
    respond_by = row["respond_by"]
    return str(row["id"]), {
        "reply_id": str(row["id"]), "recommendation_id": str(row["recommendation_id"]),
        "decision": row["decision"], "round": int(row["round"]), "reply": row["reply"], "comment": row["comment"],
        "respond_by": respond_by.isoformat() if isinstance(respond_by, dt.date) else respond_by,
        "counter_id": None if row["counter_id"] is None else str(row["counter_id"])}


def pulse_entry(period: str, counted: int, trust: Sequence[int], kept: Mapping[str, int]) -> tuple[str, dict[str, Any]]:
    """(ref, entry) of a published pulse step: the period and how many it covers are its ref."""
    return f"{period}:{counted}", {"period": period, "counted": int(counted), "trust": [int(n) for n in trust],
                                   "kept": {k: int(kept[k]) for k in KEPT}}


def audit(panel: str, chains: Mapping[str, Sequence], replies: Iterable[Mapping[str, Any]],
          shown: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """`chains`: each chain's rows in seq order (seq, at, kind, ref, entry, prev_hash, hash); `replies`: the
    panel's reply rows; `shown`: period -> the pulse entry its shown counts make (periods shown only)."""
    total = sum(len(rows) for rows in chains.values())
    for name in sorted(chains):
        result = verify(chains[name])
        if not result["intact"]:
            return {**broken(total, result["broken_at_seq"], result["explanation"]), "broken_chain": name}
    problem = _replies_differ(chains, list(replies)) or _pulse_differs(panel, chains, shown)
    if problem:
        chain, seq, explanation = problem
        return {**broken(total, seq, explanation), "broken_chain": chain}
    return {"intact": True, "entries": total, "chains": len(chains)}


Problem = tuple[str, "int | None", str]  # (chain, seq or None, why)


def _replies_differ(chains: Mapping[str, Sequence], replies: list) -> Problem | None:
    stored = {(reply_chain(str(r["recommendation_id"])), str(r["id"])): reply_entry(r)[1] for r in replies}
    chained = {(name, row.ref): row for name, rows in chains.items() for row in rows if row.kind == REPLY}
    for key, entry in sorted(stored.items()):
        row = chained.get(key)
        if row is None:
            return key[0], None, f"reply {key[1]} is stored but not in its chain"
        if row.entry != entry:
            return key[0], row.seq, f"reply {key[1]} differs from its entry {row.seq}: the stored reply was changed"
    for key, row in sorted(chained.items()):
        if key not in stored:
            return key[0], row.seq, f"entry {row.seq} records reply {key[1]}, which is no longer stored"
    return None


def _pulse_differs(panel: str, chains: Mapping[str, Sequence], shown: Mapping[str, dict]) -> Problem | None:
    latest: dict[str, Any] = {}
    for name, rows in chains.items():
        for row in rows:
            if row.kind == PULSE_STEP:
                latest[row.entry["period"]] = (name, row)  # rows come in seq order: the last step wins
    for period in sorted(set(latest) | set(shown)):
        name, row = latest.get(period, (None, None))
        if row is None:
            return pulse_chain(panel), None, f"the shown counts of {period} are not in the pulse chain"
        if shown.get(period) != row.entry:
            return name, row.seq, (f"the shown counts of {period} differ from their step, entry {row.seq}: "
                                   "the stored counts were changed")
    return None
