"""One scheduler pass: decide what is due for every commitment whose
`next_action_on` has come, record each notice once, and move the date on.

Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas
scanning together split the work; the notices' unique key makes a notice
exist once even if two passes decide it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable

import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from services.common.db import insert_once
from services.tracker import convert, publish, timeline
from services.tracker.clock import london_today
from services.tracker.domain import Notice, decide, decide_response, next_action_on, time_transition
from services.tracker.domain.ladder import next_response_on
from services.tracker.domain.policy import PolicyFile
from services.tracker.store import commitments, notices, panels, recommendations

log = structlog.get_logger()
DECIDED = Counter("followthrough_notices_decided_total", "Notices the scheduler decided", ["kind", "level"])
SCAN_SECONDS = Histogram("followthrough_scan_duration_seconds", "Duration of one scheduler pass")

KIND_EVENT = {
    "reminder": "commitment.due_soon", "silent": "commitment.silent", "overdue": "commitment.overdue",
    "escalation": "commitment.escalated", "dispute": "commitment.escalated",
    "review": "commitment.review_due", "back_on_track": "commitment.back_on_track",
}


@dataclass
class PassResult:
    commitments: int = 0
    recommendations: int = 0
    notices: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"scanned {self.commitments} commitments and {self.recommendations} pending "
                f"recommendations; decided {len(self.notices)} notices")


RespondUrl = Callable[[str, str], str]


class Scanner:
    def __init__(self, engine: Engine, policies: PolicyFile, public_url: str, respond_url: RespondUrl,
                 batch: int = 200) -> None:
        self.engine, self.policies, self.public_url = engine, policies, public_url
        self.respond_url, self.batch = respond_url, batch

    def run(self, now: dt.datetime) -> PassResult:
        today = london_today(now)
        result = PassResult()
        started = time.perf_counter()
        while self._commitment_batch(today, now, result):
            pass
        while self._pending_batch(today, now, result):
            pass
        SCAN_SECONDS.observe(time.perf_counter() - started)
        if result.notices:
            log.info("scan.pass", decided=len(result.notices), commitments=result.commitments)
        return result

    def _claim(self, session: Session, table, today: dt.date):
        q = (select(table).where(table.c.next_action_on <= today)
             .order_by(table.c.next_action_on).limit(self.batch))
        if session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        return session.execute(q).all()

    def _commitment_batch(self, today: dt.date, now: dt.datetime, result: PassResult) -> bool:
        with Session(self.engine) as session, session.begin():
            rows = self._claim(session, commitments, today)
            if not rows:
                return False
            sent = self._sent_keys(session, [r.recommendation_id for r in rows])
            recs = {r.id: r for r in session.execute(
                select(recommendations).where(recommendations.c.id.in_([r.recommendation_id for r in rows]))
            ).all()}
            moves = [self._commitment(session, row, recs[row.recommendation_id],
                                      sent.get(row.recommendation_id, frozenset()), today, now, result)
                     for row in rows]
            # Most rows only move their next date: one statement for the whole batch.
            session.execute(update(commitments).where(commitments.c.id == bindparam("cid"))
                            .values(next_action_on=bindparam("nxt")).execution_options(synchronize_session=False),
                            [m for m in moves if m])
            result.commitments += len(rows)
        return len(rows) == self.batch

    def _commitment(self, session, row, rec, sent, today, now, result) -> dict | None:
        """Decide and record; returns the row's new date to set in bulk, or None if already written."""
        policy = convert.policy(row)
        c = convert.commitment(row, sent)
        decided = decide(c, today, policy)
        # An email still failing when the ladder's next step is due is given up (notice.failed).
        next_step = next_action_on(c.with_sent(*(n.key for n in decided)), today, policy)
        for n in decided:
            if self._record(session, n, rec, row, today, now, result, next_step):
                record = timeline.append(session, row.id, n.kind, {"level": n.level, "reason": n.reason,
                                                                   "late": n.late}, now)
                publish.emit_commitment(session, KIND_EVENT[n.kind], row, today, record=record,
                                        level=n.level, reason=n.reason)
            c = c.with_sent(n.key)
        status = time_transition(c, today, policy)
        nxt = next_action_on(c, today, policy)
        if not status:
            return {"cid": row.id, "nxt": nxt}
        session.execute(update(commitments).where(commitments.c.id == row.id).values(status=status, next_action_on=nxt))
        row = session.execute(select(commitments).where(commitments.c.id == row.id)).one()
        event = "commitment.confirmed" if status == "kept" else "commitment.escalated"
        why = ("the panel did not answer within the confirmation window" if status == "kept"
               else "past the last escalation level and still not done")
        record = timeline.append(session, row.id, status, {"reason": why}, now)
        publish.emit_commitment(session, event, row, today, record=record, reason=why)
        return None

    def _pending_batch(self, today: dt.date, now: dt.datetime, result: PassResult) -> bool:
        with Session(self.engine) as session, session.begin():
            rows = self._claim(session, recommendations, today)
            if not rows:
                return False
            sent = self._sent_keys(session, [r.id for r in rows])
            panel_rows = {p.slug: p for p in session.execute(
                select(panels).where(panels.c.slug.in_({r.panel for r in rows}))).all()}
            for rec in rows:
                if rec.panel not in panel_rows:  # its panel event is still on its way
                    session.execute(update(recommendations).where(recommendations.c.id == rec.id)
                                    .values(next_action_on=today + dt.timedelta(days=1)))
                    continue
                p = convert.pending(rec, panel_rows[rec.panel], sent.get(rec.id, frozenset()))
                policy = self.policies.for_panel(rec.panel)
                for n in decide_response(p, today, policy):
                    self._record(session, n, rec, None, today, now, result)
                    p = p.with_sent(n.key)
                session.execute(update(recommendations).where(recommendations.c.id == rec.id)
                                .values(next_action_on=next_response_on(p, today, policy)))
            result.recommendations += len(rows)
        return len(rows) == self.batch

    def _record(self, session, n: Notice, rec, row, today, now, result, next_step=None) -> bool:
        nid = publish.notice_id(rec.id, n.key)
        inserted = insert_once(
            session, notices, id=str(nid), recommendation_id=rec.id, commitment_id=row.id if row else None,
            key=n.key, kind=n.kind, level=n.level, late=n.late, recipients=list(n.recipients),
            reason=n.reason, decided_at=now,
        )
        if inserted:
            respond = self.respond_url(row.id, row.owner_email) if row else None
            publish.emit_notice(session, n, rec=rec, row=row, today=today, now=now, next_step_on=next_step,
                                public_url=self.public_url, respond_url=respond)
            DECIDED.labels(n.kind, str(n.level)).inc()
            result.notices.append(str(nid))
            log.info("notice.decided", notice_id=str(nid), commitment_id=row.id if row else None,
                     recommendation_id=rec.id, kind=n.kind, ladder_level=n.level, late=n.late)
        return inserted

    @staticmethod
    def _sent_keys(session: Session, rec_ids: list[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for rid, key in session.execute(
            select(notices.c.recommendation_id, notices.c.key).where(notices.c.recommendation_id.in_(rec_ids))
        ):
            found.setdefault(rid, set()).add(key)
        return {k: frozenset(v) for k, v in found.items()}
