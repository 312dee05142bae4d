"""Counts the register shows about kept promises re-checked (contract §5, issue 17)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.tracker.adapters.store import commitments


@dataclass(frozen=True)
class ReopenCounts:
    kept: int  # promises ever kept: kept now, or kept once and since reopened by the panel
    reopened: int  # of those, how many the panel reopened (at least once)
    reopenings: int  # reopenings in all (a promise reopened twice counts twice here)


def reopen_counts(session: Session, panel: str | None = None) -> ReopenCounts:
    """How many kept promises were reopened: "reopened of kept" is `reopened / kept`."""
    q = select(func.count(), func.count().filter(commitments.c.reopenings > 0),
               func.coalesce(func.sum(commitments.c.reopenings), 0)).select_from(commitments).where(
        or_(commitments.c.status == "kept", commitments.c.reopenings > 0))
    if panel:
        q = q.where(commitments.c.panel == panel)
    kept, reopened, reopenings = session.execute(q).one()
    return ReopenCounts(kept=kept, reopened=reopened, reopenings=int(reopenings))
