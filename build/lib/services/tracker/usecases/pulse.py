"""The panel's trust pulse (SPEC §5): one anonymous answer (trust 1-5, and "did police keep their
promises?" yes / no / not sure) from a panel member who knows the panel's access code.

Nothing about an answer is kept but two counts going up by one: a row per (panel, month) holds
how many gave each trust value and each kept answer, incremented in SQL in the answer's
transaction, with the `pulse.recorded` event (the period's new totals) in the same outbox
transaction. A period's counts are shown, and published, only from PULSE_MIN_ANSWERS answers on,
so no one can tell how one of the first few panel members answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from schemas import make_event
from schemas.models import PULSE_MIN_ANSWERS, PulseKept, PulseRecorded
from services.common import outbox as outbox_mod
from services.common.clock import Clock
from services.tracker.adapters.store import outbox, panels, pulse
from services.tracker.usecases.errors import NotFound

SOURCE = "followthrough/tracker"
TRUST = (1, 2, 3, 4, 5)
KEPT = ("yes", "no", "not_sure")
Kept = Literal["yes", "no", "not_sure"]
COUNTS = ("answers", *(f"trust_{n}" for n in TRUST), *(f"kept_{k}" for k in KEPT))


@dataclass(frozen=True)
class Period:
    """One period's counts (a month, "2026-11")."""

    period: str
    answers: int
    trust: tuple[int, int, int, int, int]
    kept: dict[str, int]

    @property
    def shown(self) -> bool:
        return self.answers >= PULSE_MIN_ANSWERS

    @property
    def mean_trust(self) -> float:
        return sum(n * c for n, c in zip(TRUST, self.trust, strict=True)) / self.answers if self.answers else 0.0

    @property
    def kept_yes_percent(self) -> int:
        return round(100 * self.kept["yes"] / self.answers) if self.answers else 0


def period_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def record(engine: Engine, clock: Clock, panel: str, trust: int, kept: Kept) -> Period:
    """Count one answer for this month and queue its `pulse.recorded` event, in one transaction."""
    if trust not in TRUST or kept not in KEPT:
        raise ValueError("trust is 1 to 5 and kept is yes, no or not_sure")  # the request models refuse it first
    period = period_of(clock.today())
    with Session(engine) as session, session.begin():
        if session.execute(select(panels.c.slug).where(panels.c.slug == panel)).first() is None:
            raise NotFound(f"There is no panel {panel}; check the link you were given.")
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(pulse).values(panel=panel, period=period).on_conflict_do_nothing())
        c = pulse.c
        session.execute(update(pulse).where(c.panel == panel, c.period == period).values({
            c.answers: c.answers + 1, c[f"trust_{trust}"]: c[f"trust_{trust}"] + 1,
            c[f"kept_{kept}"]: c[f"kept_{kept}"] + 1}))
        counts = _period(session.execute(select(pulse).where(c.panel == panel, c.period == period)).one())
        outbox_mod.add(session, outbox, make_event("pulse.recorded", panel, event_data(panel, counts),
                                                   source=SOURCE, time=clock.now()))
    return counts


def event_data(panel: str, p: Period) -> PulseRecorded:
    """The period's totals; the counts themselves only once the period has enough answers."""
    if not p.shown:
        return PulseRecorded(panel=panel, period=p.period, answers=p.answers)
    return PulseRecorded(panel=panel, period=p.period, answers=p.answers, trust=list(p.trust),
                         kept=PulseKept(**p.kept))


def shown_periods(session: Session, panel: str | None = None, last: int = 6) -> list[Period]:
    """The last `last` periods with enough answers to show, oldest first: for one panel, or (None) for all
    panels together, counting only each panel's periods that have enough answers of their own."""
    c = pulse.c
    q = (select(c.period, *(func.sum(c[name]).label(name) for name in COUNTS))
         .where(c.answers >= PULSE_MIN_ANSWERS).group_by(c.period).order_by(c.period.desc()).limit(last))
    if panel is not None:
        q = q.where(c.panel == panel)
    return [_period(row) for row in reversed(session.execute(q).all())]


def _period(row) -> Period:
    return Period(period=row.period, answers=int(row.answers),
                  trust=tuple(int(getattr(row, f"trust_{n}")) for n in TRUST),  # type: ignore[arg-type]
                  kept={k: int(getattr(row, f"kept_{k}")) for k in KEPT})
