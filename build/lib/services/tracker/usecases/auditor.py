"""The auditor: does every commitment (and every pending recommendation) have
every notice its state calls for?

It asks the pure ladder what is owed now and compares with what was
recorded. A notice owed for longer than two scan intervals and still not
recorded is missing: the scanner should have decided it by then. The count
is `followthrough_missing_notices` (it must be 0). Rows the scanner parked
after an error are listed too (`followthrough_scan_parked_rows`, must be 0).
"""

from __future__ import annotations

import datetime as dt

import structlog
from prometheus_client import Gauge
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from schemas.policy import PolicyFile
from services.common.clock import Clock
from services.tracker.adapters import convert
from services.tracker.adapters.store import commitments, notices, panels, recommendations
from services.tracker.domain import decide, decide_response
from services.tracker.domain.model import ACTIVE

log = structlog.get_logger()
MISSING = Gauge("followthrough_missing_notices",
                "Notices owed for longer than two scan intervals and never recorded")
PARKED = Gauge("followthrough_scan_parked_rows", "Rows the scanner parked after an error, until they change")

Owed = tuple[str, str]  # (commitment or recommendation id, notice key)


def owed_notices(engine: Engine, policies: PolicyFile, today: dt.date, batch: int = 2000) -> set[Owed]:
    """Every notice the ladder says is owed today and that is not recorded."""
    owed: set[Owed] = set()
    with Session(engine) as session:
        last_id = ""
        while rows := session.execute(
            select(commitments).where(commitments.c.status.in_(ACTIVE | {"done", "kept"}),
                                      commitments.c.id > last_id)
            .order_by(commitments.c.id).limit(batch)
        ).all():
            sent = _sent(session, [r.recommendation_id for r in rows])
            for row in rows:
                c = convert.commitment(row, sent.get(row.recommendation_id, frozenset()))
                owed |= {(row.id, n.key) for n in _safely(decide, c, today, lambda row=row: convert.policy(row))}
            last_id = rows[-1].id
        pending = session.execute(select(recommendations).where(recommendations.c.decision == "pending")).all()
        panel_rows = {p.slug: p for p in session.execute(select(panels)).all()}
        sent = _sent(session, [r.id for r in pending])
        for rec in pending:
            if rec.panel in panel_rows:
                p = convert.pending(rec, panel_rows[rec.panel], sent.get(rec.id, frozenset()))
                owed |= {(rec.id, n.key) for n in _safely(decide_response, p, today,
                                                          lambda rec=rec: policies.for_panel(rec.panel))}
    return owed


def parked_rows(engine: Engine) -> list[tuple[str, str, str]]:
    """(table, id, error) of every row the scanner parked."""
    with Session(engine) as session:
        return [(t.name, r.id, r.parked_error) for t in (commitments, recommendations)
                for r in session.execute(select(t.c.id, t.c.parked_error).where(t.c.parked_at.is_not(None)))]


class Auditor:
    """Remembers since when each notice has been owed, so a notice is counted missing only
    after the scanner has had two intervals to decide it."""

    def __init__(self, engine: Engine, policies: PolicyFile, clock: Clock, scan_interval_s: float) -> None:
        self.engine, self.policies, self.clock = engine, policies, clock
        self.grace = dt.timedelta(seconds=2 * scan_interval_s)
        self._owed_since: dict[Owed, dt.datetime] = {}

    def run(self) -> int:
        now = self.clock.now()
        owed = owed_notices(self.engine, self.policies, self.clock.today())
        self._owed_since = {k: self._owed_since.get(k, now) for k in owed}
        missing = sorted(k for k, since in self._owed_since.items() if now - since > self.grace)
        MISSING.set(len(missing))
        if missing:
            log.error("auditor.missing_notices", count=len(missing), first=missing[:5])
        parked = parked_rows(self.engine)
        PARKED.set(len(parked))
        for table, row_id, error in parked:
            log.error("auditor.parked_row", table=table, row_id=row_id, error=error)
        return len(missing)


def _sent(session: Session, rec_ids: list[str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for rid, key in session.execute(select(notices.c.recommendation_id, notices.c.key)
                                    .where(notices.c.recommendation_id.in_(rec_ids))):
        found.setdefault(rid, set()).add(key)
    return {k: frozenset(v) for k, v in found.items()}


def _safely(decide_fn, subject, today, policy):
    """A row whose ladder cannot be computed is the scanner's to park; it is listed as parked."""
    try:
        return decide_fn(subject, today, policy())
    except Exception as exc:
        log.warning("auditor.row_unreadable", row_id=subject.id, error=str(exc))
        return []
