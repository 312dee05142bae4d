"""`followthrough replay`: the trust pulse's counts (contract §5) rebuilt from its `pulse.recorded` events.

Each answer published one event for its panel and month: how many answered so far and the shown counts
(of the month's first `counted` answers, which move only every PULSE_MIN_ANSWERS answers), never the
answer itself. The month's latest event (the one with most answers) therefore holds all that any page,
the register or an event ever showed, and its row is restored from it: `answers` and the `shown_…`
copy exactly.

What cannot be rebuilt, by design: the values of the answers since a month's last step (fewer than a
step). The running counts are restored as the shown copy, so they count `counted` answers while
`answers` counts them all; the answers since the last step stay counted in "so far", as a month that
ends between steps keeps them, and are never shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from schemas.models import PulseRecorded
from services.tracker.adapters.store import pulse

TRUST = (1, 2, 3, 4, 5)
KEPT = ("yes", "no", "not_sure")


@dataclass(frozen=True)
class Step:
    """One move of a month's shown counts, as its event published it (for a chain of the steps)."""

    panel: str
    period: str
    counted: int
    trust: tuple[int, ...]
    kept: dict[str, int]
    at: dt.datetime


def latest(events: Iterable[tuple[dt.datetime, PulseRecorded]]) -> dict[tuple[str, str], PulseRecorded]:
    """Each (panel, month)'s latest event: the most answers (they only grow within a month, so the
    order the events are read in does not matter, and a repeated event changes nothing)."""
    out: dict[tuple[str, str], PulseRecorded] = {}
    for _, e in events:
        key = (e.panel, e.period)
        if key not in out or (e.answers, e.counted) > (out[key].answers, out[key].counted):
            out[key] = e
    return out


def steps(events: Iterable[tuple[dt.datetime, PulseRecorded]]) -> list[Step]:
    """Every move of the shown counts, in order: each event whose `counted` is new for its month."""
    seen: set[tuple[str, str, int]] = set()
    out = []
    for at, e in sorted(events, key=lambda item: (item[1].panel, item[1].period, item[1].answers, item[0])):
        if e.counted and (e.panel, e.period, e.counted) not in seen and e.trust is not None and e.kept:
            seen.add((e.panel, e.period, e.counted))
            out.append(Step(e.panel, e.period, e.counted, tuple(e.trust), e.kept.model_dump(), at))
    return out


def row(e: PulseRecorded) -> dict:
    """The table row the month's latest event stands for: its answers and shown counts, and as running
    counts the shown ones (the values of the answers since the last step were never published)."""
    trust = e.trust or [0] * len(TRUST)
    kept = e.kept.model_dump() if e.kept else dict.fromkeys(KEPT, 0)
    counts = {**{f"trust_{n}": c for n, c in zip(TRUST, trust, strict=True)},
              **{f"kept_{k}": kept[k] for k in KEPT}}
    return {"panel": e.panel, "period": e.period, "answers": e.answers, "shown_answers": e.counted,
            **counts, **{f"shown_{name}": value for name, value in counts.items()}}


def restore(engine: Engine, events: Iterable[tuple[dt.datetime, PulseRecorded]],
            on_step: Callable[[Session, Step], None] | None = None) -> int:
    """Write each (panel, month)'s row from its latest event, in one transaction; returns how many rows.
    `on_step` is handed each step of the shown counts in order, in the same transaction (for a chain
    of the steps). Into an empty table only (replay's database): a row already there is a conflict."""
    events = list(events)
    rows = [row(e) for e in latest(events).values()]
    with Session(engine) as s, s.begin():
        if rows:
            s.execute(insert(pulse), rows)
        for step in steps(events) if on_step else ():
            on_step(s, step)
    return len(rows)
