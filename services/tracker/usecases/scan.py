"""One scheduler pass: decide what is due for every commitment whose
`next_action_on` has come, record each notice once, and move the date on.

Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas
scanning together split the work; the notices' unique key makes a notice
exist once even if two passes decide it. Each row is decided in its own
savepoint: a row that raises is parked (skipped until it changes, counted,
logged and listed by the auditor) and never stops the pass for the others.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy import Engine, bindparam, select, text, update
from sqlalchemy.orm import Session

from schemas.policy import PolicyFile
from services.common import outbox as outbox_mod
from services.common.clock import SYSTEM, Clock, london_today
from services.common.db import for_update
from services.tracker.adapters import convert, publish, timeline
from services.tracker.adapters.deferred import AlreadyRecorded, Deferred
from services.tracker.adapters.store import commitments, notices, outbox, panels, recommendations
from services.tracker.domain import Notice, decide, decide_response, next_action_on, settle, time_transition
from services.tracker.domain.ladder import next_response_on
from services.tracker.domain.rules import NOTICES
from services.tracker.usecases.notices import NoticeRecorder

log = structlog.get_logger()
SCAN_SECONDS = Histogram("followthrough_scan_duration_seconds", "Duration of one scheduler pass")
ROW_FAILURES = Counter("followthrough_scan_row_failures_total",
                       "Rows a scan pass could not process; each is parked until it changes")



@dataclass
class PassResult:
    commitments: int = 0
    recommendations: int = 0
    notices: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parked = f"; parked {len(self.parked)} rows that failed" if self.parked else ""
        return (f"scanned {self.commitments} commitments and {self.recommendations} pending "
                f"recommendations; decided {len(self.notices)} notices{parked}")


class _RowFailed(Exception):
    """A row raised in a batch run without savepoints: run the batch again, a savepoint per row."""


class Scanner:
    def __init__(self, engine: Engine, policies: PolicyFile, recorder: NoticeRecorder,
                 batch: int = 200, clock: Clock = SYSTEM) -> None:
        self.engine, self.policies, self.recorder = engine, policies, recorder
        self.batch, self.clock = batch, clock

    def run(self, now: dt.datetime | None = None) -> PassResult:
        now = now or self.clock.now()
        today = london_today(now)
        result = PassResult()
        started = time.perf_counter()
        while self._batch(commitments, self._commitment, today, now, result):
            pass
        while self._batch(recommendations, self._pending, today, now, result):
            pass
        SCAN_SECONDS.observe(time.perf_counter() - started)
        if result.notices or result.parked:
            log.info("scan.pass", decided=len(result.notices), commitments=result.commitments,
                     parked=len(result.parked))
        return result

    def _batch(self, table, one, today: dt.date, now: dt.datetime, result: PassResult) -> bool:
        """Claim a batch of due rows and decide them. The batch is first tried in one transaction;
        if any row raises, it is rolled back and run again with each row in its own savepoint, so a
        row that raises is parked and the others go on (a savepoint per row is two round trips per
        row: most of a quiet pass before). Returns whether a full batch was claimed."""
        try:
            return self._claimed(table, one, today, now, result, isolate=False)
        except _RowFailed:
            return self._claimed(table, one, today, now, result, isolate=True)

    def _claimed(self, table, one, today: dt.date, now: dt.datetime, result: PassResult, *, isolate: bool) -> bool:
        with Session(self.engine) as session, session.begin():
            rows = self._claim(session, table, today)
            if not rows:
                return False
            ctx = self._context(session, table, rows)
            if not isolate:
                ctx["deferred"] = Deferred(session, [r.id for r in rows] if table is commitments else [])
            moves, decided_all, parked = [], [], []
            for row in rows:
                decided: list[str] = []
                try:
                    if isolate:
                        with session.begin_nested():
                            moves += one(session, row, ctx, today, now, decided)
                    else:
                        moves += one(session, row, ctx, today, now, decided)
                except Exception as exc:  # one bad row must not stop the pass for everyone else
                    if not isolate:
                        raise _RowFailed from exc  # the whole batch rolls back and runs again, isolated
                    self._park(session, table, row.id, exc, now)
                    parked.append(row.id)
                    continue
                decided_all += decided
            if not isolate:
                try:
                    ctx["deferred"].flush()
                except AlreadyRecorded as exc:  # someone recorded one of them first: go row by row
                    raise _RowFailed from exc
            # Most rows only move their next date: one statement for the whole batch.
            if moves:
                session.execute(update(table).where(table.c.id == bindparam("rid"))
                                .values(next_action_on=bindparam("nxt"))
                                .execution_options(synchronize_session=False), moves)
        result.notices += decided_all
        result.parked += parked
        if table is commitments:
            result.commitments += len(rows)
        else:
            result.recommendations += len(rows)
        return len(rows) == self.batch

    def _claim(self, session: Session, table, today: dt.date):
        if session.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock first: scanners then run one at a time (as SKIP LOCKED
            # splits them on PostgreSQL), and the savepoints below nest inside a real transaction.
            session.execute(text("BEGIN IMMEDIATE"))
        q = (select(table).where(table.c.next_action_on <= today, table.c.parked_at.is_(None))
             .order_by(table.c.next_action_on).limit(self.batch))
        return session.execute(for_update(session, q, skip_locked=True)).all()

    def _context(self, session: Session, table, rows) -> dict:
        """What the batch's rows need, loaded once: notices already sent, and their recommendations
        (commitments) or panels (pending recommendations)."""
        rec_ids = [r.recommendation_id for r in rows] if table is commitments else [r.id for r in rows]
        ctx: dict = {"sent": self._sent_keys(session, rec_ids)}
        if table is commitments:
            ctx["recs"] = {r.id: r for r in session.execute(
                select(recommendations).where(recommendations.c.id.in_(rec_ids))).all()}
        else:
            ctx["panels"] = {p.slug: p for p in session.execute(
                select(panels).where(panels.c.slug.in_({r.panel for r in rows}))).all()}
        return ctx

    @staticmethod
    def _park(session: Session, table, row_id: str, exc: Exception, now: dt.datetime) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        session.execute(update(table).where(table.c.id == row_id).values(parked_at=now, parked_error=error))
        ROW_FAILURES.inc()
        log.error("scan.row_failed", table=table.name, row_id=row_id, error=error, exc_info=exc)

    def _commitment(self, session, row, ctx, today, now, decided: list[str]) -> list[dict]:
        """Decide and record; returns the row's new date to set in bulk, if only the date moves."""
        rec = ctx["recs"][row.recommendation_id]
        policy = convert.policy(row)
        c = convert.commitment(row, ctx["sent"].get(row.recommendation_id, frozenset()))
        notices_due = decide(c, today, policy)
        # An email still failing when the ladder's next step is due is given up (notice.failed).
        next_step = next_action_on(c.with_sent(*(n.key for n in notices_due)), today, policy)
        for n in notices_due:
            if self._record(session, n, rec, row, today, now, decided, next_step, ctx):
                record = self._append(session, ctx, row.id, n.kind, {"level": n.level, "reason": n.reason,
                                                                     "late": n.late}, now)
                self._emit(session, ctx, publish.commitment_event(NOTICES[n.kind].event, row, today, record=record,
                                                                  level=n.level, reason=n.reason))
            c = c.with_sent(n.key)
        status = time_transition(c, today, policy)
        nxt = next_action_on(c, today, policy)
        if not status:
            return [{"rid": row.id, "nxt": nxt}]
        kept_on = settle(c, status, policy).kept_on
        session.execute(update(commitments).where(commitments.c.id == row.id)
                        .values(status=status, kept_on=kept_on, next_action_on=nxt))
        row = session.execute(select(commitments).where(commitments.c.id == row.id)).one()
        event = "commitment.confirmed" if status == "kept" else "commitment.escalated"
        why = ("the panel did not answer within the confirmation window" if status == "kept"
               else "past the last escalation level and still not done")
        entry = {"reason": why, **({"kept_on": kept_on.isoformat()} if status == "kept" and kept_on else {})}
        record = self._append(session, ctx, row.id, status, entry, now)
        self._emit(session, ctx, publish.commitment_event(event, row, today, record=record, reason=why))
        return []

    def _pending(self, session, rec, ctx, today, now, decided: list[str]) -> list[dict]:
        panel = ctx["panels"].get(rec.panel)
        if panel is None:  # its panel event is still on its way
            return [{"rid": rec.id, "nxt": today + dt.timedelta(days=1)}]
        p = convert.pending(rec, panel, ctx["sent"].get(rec.id, frozenset()))
        policy = self.policies.for_panel(rec.panel)
        for n in decide_response(p, today, policy):
            self._record(session, n, rec, None, today, now, decided, None, ctx)
            p = p.with_sent(n.key)
        return [{"rid": rec.id, "nxt": next_response_on(p, today, policy)}]

    def _record(self, session, n: Notice, rec, row, today, now, decided: list[str], next_step, ctx) -> bool:
        if "deferred" in ctx:
            nid = self.recorder.record_later(ctx["deferred"], n, rec, row, now, next_step)
        else:
            nid = self.recorder.record(session, n, rec, row, today, now, next_step)
        if nid:
            decided.append(nid)
        return nid is not None

    @staticmethod
    def _append(session, ctx, commitment_id: str, kind: str, entry: dict, now: dt.datetime) -> dict:
        if "deferred" in ctx:
            return ctx["deferred"].append(commitment_id, kind, entry, now)
        return timeline.append(session, commitment_id, kind, entry, now)

    @staticmethod
    def _emit(session, ctx, event: dict) -> None:
        if "deferred" in ctx:
            ctx["deferred"].event(event)
        else:
            outbox_mod.add(session, outbox, event)

    @staticmethod
    def _sent_keys(session: Session, rec_ids: list[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for rid, key in session.execute(
            select(notices.c.recommendation_id, notices.c.key).where(notices.c.recommendation_id.in_(rec_ids))
        ):
            found.setdefault(rid, set()).add(key)
        return {k: frozenset(v) for k, v in found.items()}
