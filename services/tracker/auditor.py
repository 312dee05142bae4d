"""The auditor: does every commitment have every notice its state calls for?

A commitment the scanner has settled (nothing due before its
`next_action_on`) must have nothing left to decide; one still waiting to be
scanned is late only if it has waited since before yesterday. The count of
notices missing is exposed as `followthrough_missing_notices` (it must be 0).
"""

from __future__ import annotations

import datetime as dt

import structlog
from prometheus_client import Gauge
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from services.tracker import convert
from services.tracker.domain import decide
from services.tracker.domain.model import ACTIVE
from services.tracker.store import commitments, notices

log = structlog.get_logger()
MISSING = Gauge("followthrough_missing_notices", "Notices a commitment's state calls for that were never decided")


def missing_notices(engine: Engine, today: dt.date, batch: int = 2000) -> list[tuple[str, str]]:
    """(commitment id, notice key) for every notice that should exist and does not."""
    grace = today - dt.timedelta(days=1)
    missing: list[tuple[str, str]] = []
    last_id = ""
    with Session(engine) as session:
        while True:
            rows = session.execute(
                select(commitments)
                .where(commitments.c.status.in_(ACTIVE | {"done", "kept"}), commitments.c.id > last_id,
                       or_(commitments.c.next_action_on.is_(None), commitments.c.next_action_on > today,
                           commitments.c.next_action_on < grace))
                .order_by(commitments.c.id).limit(batch)
            ).all()
            if not rows:
                return missing
            sent: dict[str, set[str]] = {}
            for rid, key in session.execute(select(notices.c.recommendation_id, notices.c.key).where(
                    notices.c.recommendation_id.in_([r.recommendation_id for r in rows]))):
                sent.setdefault(rid, set()).add(key)
            for row in rows:
                c = convert.commitment(row, frozenset(sent.get(row.recommendation_id, ())))
                missing += [(row.id, n.key) for n in decide(c, today, convert.policy(row))]
            last_id = rows[-1].id


def run(engine: Engine, today: dt.date) -> int:
    found = missing_notices(engine, today)
    MISSING.set(len(found))
    if found:
        log.error("auditor.missing_notices", count=len(found), first=found[:5])
    return len(found)
