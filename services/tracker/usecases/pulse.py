"""The panel's trust pulse (contract §5): one anonymous answer (trust 1-5, and "did police keep their
promises?" yes / no / not sure) from a panel member who knows the panel's access code.

Nothing about an answer is kept but counts going up by one: a row per (panel, month) holds how many
gave each trust value and each kept answer, incremented in SQL in the answer's transaction, with the
`pulse.recorded` event in the same outbox transaction. Beside the running counts the row keeps the
shown copy, which every public output reads (pages, register, the event) and which moves to the
running counts only in steps of PULSE_MIN_ANSWERS answers (`domain/pulse.py`), so comparing the
figures before and after an answer never singles that answer out. Each step is an entry in the panel's
hash chain (`domain/panelchain.py`), which the panel's audit checks the shown counts against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas import make_event
from schemas.models import PULSE_MIN_ANSWERS, PulseKept, PulseRecorded
from services.common.clock import Clock
from services.tracker.adapters.store import PULSE_COUNTS, pulse
from services.tracker.domain import pulse as rule
from services.tracker.usecases.errors import NotFound
from services.tracker.usecases.unitofwork import Storage

SOURCE = "followthrough/tracker"
TRUST = (1, 2, 3, 4, 5)
KEPT = ("yes", "no", "not_sure")
Kept = Literal["yes", "no", "not_sure"]


@dataclass(frozen=True)
class Period:
    """One period (a month, "2026-11"): how many answered so far, and the shown counts, which are of
    the first `counted` of those answers."""

    period: str
    answers: int
    counted: int
    trust: tuple[int, int, int, int, int]
    kept: dict[str, int]

    @property
    def shown(self) -> bool:
        return self.counted >= PULSE_MIN_ANSWERS

    @property
    def mean_trust(self) -> float:
        return sum(n * c for n, c in zip(TRUST, self.trust, strict=True)) / self.counted if self.counted else 0.0

    @property
    def kept_yes_percent(self) -> int:
        return round(100 * self.kept["yes"] / self.counted) if self.counted else 0


def period_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def record(storage: Storage, clock: Clock, panel: str, trust: int, kept: Kept) -> Period:
    """Count one answer for this month, move the shown counts if a step is complete, and queue the
    `pulse.recorded` event, in one transaction."""
    if trust not in TRUST or kept not in KEPT:
        raise ValueError("trust is 1 to 5 and kept is yes, no or not_sure")  # the request models refuse it first
    period = period_of(clock.today())
    with storage.begin() as uow:
        if uow.panels.get(panel) is None:
            raise NotFound(f"There is no panel {panel}; check the link you were given.")
        row = uow.pulse.count(panel, period, trust, kept)  # held until commit: no answer comes between
        now = clock.now()
        # The step counts the answers whose values the row holds: after a replay the answers since the last
        # published step are counted in "so far" but their values were never published, so they cannot move it.
        moved = rule.moves(sum(getattr(row, f"kept_{k}") for k in KEPT), row.shown_answers)
        if moved:
            row = uow.pulse.show(panel, period)
        counts = _period(row)
        if moved:  # the published step, never one answer, chained at its event's time (replay agrees)
            uow.panel_chain.pulse_step(panel, counts, now)
        uow.outbox.add(make_event("pulse.recorded", panel, event_data(panel, counts), source=SOURCE, time=now))
    return counts


def event_data(panel: str, p: Period) -> PulseRecorded:
    """How many answered, and the shown counts once there are any: never the running counts."""
    if not p.shown:
        return PulseRecorded(panel=panel, period=p.period, answers=p.answers)
    return PulseRecorded(panel=panel, period=p.period, answers=p.answers, counted=p.counted, trust=list(p.trust),
                         kept=PulseKept(**p.kept))


def shown_periods(session: Session, panel: str | None = None, last: int = 6) -> list[Period]:
    """The last `last` periods with shown counts, oldest first: for one panel, or (None) for all panels
    together, counting only each panel's periods that have shown counts of their own."""
    c = pulse.c
    q = (select(c.period, *(func.sum(c[name]).label(name) for name in PULSE_COUNTS),
                *(func.sum(c[f"shown_{name}"]).label(f"shown_{name}") for name in PULSE_COUNTS))
         .where(c.shown_answers >= PULSE_MIN_ANSWERS).group_by(c.period).order_by(c.period.desc()).limit(last))
    if panel is not None:
        q = q.where(c.panel == panel)
    return [_period(row) for row in reversed(session.execute(q).all())]


def answered(session: Session, panel: str, period: str) -> int:
    """How many of the panel answered in `period` so far (0 if none): shown, so a stuffed month shows."""
    c = pulse.c
    return int(session.execute(select(c.answers).where(c.panel == panel, c.period == period)).scalar() or 0)


def _period(row) -> Period:
    return Period(period=row.period, answers=int(row.answers), counted=int(row.shown_answers),
                  trust=tuple(int(getattr(row, f"shown_trust_{n}")) for n in TRUST),  # type: ignore[arg-type]
                  kept={k: int(getattr(row, f"shown_kept_{k}")) for k in KEPT})
