"""What the public register shows (contract §5), read in one go: a row per recommendation for the
rates (domain/counting.py), every commitment for the table by owner role and area and the late list,
and the trust pulse of every panel together. The web layer only asks: it turns these into words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.tracker.adapters.registerrows import register_rows
from services.tracker.adapters.store import commitments, panels
from services.tracker.domain.counting import Row
from services.tracker.usecases import pulse as pulse_uc

LATE_COLUMNS = ("id", "panel", "action", "owner_role", "status", "due", "owner_unreachable_since", "kept_by")


@dataclass(frozen=True)
class RegisterSnapshot:
    rows: list[Row]  # one per recommendation, with its commitment if any
    commitments: list  # every commitment, with only LATE_COLUMNS
    areas: dict[str, str]  # panel slug -> area
    pulse: list[pulse_uc.Period]  # months with shown counts, every panel together, oldest first


def register_snapshot(engine: Engine, today: dt.date) -> RegisterSnapshot:
    with Session(engine) as s:
        return RegisterSnapshot(
            rows=register_rows(s, today),
            commitments=s.execute(select(*(commitments.c[n] for n in LATE_COLUMNS))).all(),
            areas=dict(s.execute(select(panels.c.slug, panels.c.area)).all()),
            pulse=pulse_uc.shown_periods(s))


def register_csv_rows(engine: Engine, today: dt.date) -> list[Row]:
    """The rows behind every figure, for `/register.csv`."""
    with Session(engine) as s:
        return register_rows(s, today)
