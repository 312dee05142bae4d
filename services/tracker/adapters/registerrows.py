"""The register's rows (domain/counting.py) read from the tracker's tables, one per recommendation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tracker.adapters.publish import days_overdue
from services.tracker.adapters.store import commitments, panels, recommendations
from services.tracker.domain.counting import Row


def register_rows(session: Session, today: dt.date, panels_in: Collection[str] | None = None) -> list[Row]:
    """Every recommendation's row, or only those of the panels in `panels_in` (a report on one panel or area
    reads its own rows, not the force's)."""
    areas = dict(session.execute(select(panels.c.slug, panels.c.area)).all())
    c, r = commitments, recommendations
    query = (select(r.c.id, r.c.panel, r.c.raised_on, r.c.decision, r.c.decline_code, r.c.decided_on, r.c.respond_by,
                    r.c.decide_by,
                    c.c.id.label("commitment_id"), c.c.owner_role, c.c.status, c.c.original_due, c.c.due,
                    c.c.due_version, c.c.done_on, c.c.disputes, c.c.reopenings, c.c.agreed_on,
                    c.c.owner_unreachable_since, c.c.kept_by)
             .outerjoin(c, c.c.recommendation_id == r.c.id)
             .order_by(r.c.panel, r.c.raised_on, r.c.id))
    if panels_in is not None:
        query = query.where(r.c.panel.in_(sorted(panels_in)))
    return [_row(x, areas, today) for x in session.execute(query).all()]


def _row(x, areas: dict[str, str], today: dt.date) -> Row:
    answered_on = x.decided_on or (x.agreed_on if x.decision == "agreed" else None)
    code = x.decline_code if x.decision == "declined" else None  # a decline the panel insisted on waits again
    # Yes in principle still owes its answer, by decide_by, but never later than its first clock: a pending
    # recommendation already late stays late when police then say "in principle", and once agreed or
    # declined the first clock counts again, so saying "in principle" buys no time on the on-time rate.
    principle = x.decision == "in_principle"
    decide_by = (x.decide_by or x.respond_by) if principle else None
    clock = min((d for d in (x.respond_by, decide_by) if d), default=None) if principle else x.respond_by
    base = dict(recommendation_id=x.id, panel=x.panel, area=areas.get(x.panel, x.panel), raised_on=x.raised_on,
                decision=x.decision, decline_code=code, answered_on=answered_on, respond_by=clock,
                decide_by=decide_by)
    if x.commitment_id is None:
        return Row(**base)
    return Row(**base, commitment_id=x.commitment_id, owner_role=x.owner_role, status=x.status,
               original_due=x.original_due, due=x.due, due_moves=x.due_version - 1, done_on=x.done_on,
               disputes=x.disputes, reopened=x.reopenings, days_overdue=days_overdue(x, today),
               owner_unreachable_since=x.owner_unreachable_since,
               kept_by=x.kept_by if x.status == "kept" else None)
