"""One scheduler pass: decide what is due for every commitment whose
`next_action_on` has come, record each notice once, and move the date on.

Replicas scanning together split the work (the store claims rows others have
not locked); the notices' unique key makes a notice exist once even if two
passes decide it. A batch is first decided in one transaction with the store's
writer; if a row raises, or a notice turns out recorded already, the batch
rolls back and runs again with each row in its own savepoint and an immediate
writer: a row that raises is parked (skipped until it changes, counted, logged
and listed by the auditor) and never stops the pass for the others.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import Counter, Histogram

from schemas.policy import PolicyFile
from services.common.clock import SYSTEM, Clock, london_today
from services.tracker.adapters import convert, publish
from services.tracker.adapters.scan_store import SqlScanStore
from services.tracker.adapters.scan_writers import AlreadyRecorded
from services.tracker.domain import Notice, decide, decide_response, next_action_on, settle, time_transition
from services.tracker.domain.entry_effects import apply_entry
from services.tracker.domain.ladder import next_response_on
from services.tracker.domain.rules import NOTICES
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.scan_ports import BatchContext, Due, ScanBatch, ScanStore, ScanWriter

log = structlog.get_logger()
SCAN_SECONDS = Histogram("followthrough_scan_duration_seconds", "Duration of one scheduler pass")
ROW_FAILURES = Counter("followthrough_scan_row_failures_total",
                       "Rows a scan pass could not process; each is parked until it changes")
Move = tuple[str, dt.date | None]  # (row id, its next date)


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


@dataclass
class _Row:
    """One claimed row's work in a batch: where it writes, and the notices it recorded."""

    batch: ScanBatch
    writer: ScanWriter
    context: BatchContext
    today: dt.date
    now: dt.datetime
    decided: list[tuple] = field(default_factory=list)  # (notice id, notice, recommendation, commitment)


class _RowFailed(Exception):
    """A row raised in a batch run without savepoints: run the batch again, a savepoint per row."""


class Scanner:
    def __init__(self, engine: Any, policies: PolicyFile, recorder: NoticeRecorder,
                 batch: int = 200, clock: Clock = SYSTEM, store: ScanStore | None = None) -> None:
        # `engine`: the database the default store opens (and the auditor reads); None with `store`.
        self.engine, self.policies, self.recorder = engine, policies, recorder
        self.batch, self.clock = batch, clock
        self.store: ScanStore = store or SqlScanStore(engine)

    def run(self, now: dt.datetime | None = None) -> PassResult:
        now = now or self.clock.now()
        result = PassResult()
        started = time.perf_counter()
        while self._batch("commitments", london_today(now), now, result):
            pass
        while self._batch("recommendations", london_today(now), now, result):
            pass
        SCAN_SECONDS.observe(time.perf_counter() - started)
        if result.notices or result.parked:
            log.info("scan.pass", decided=len(result.notices), commitments=result.commitments,
                     parked=len(result.parked))
        return result

    def retry_parked(self, now: dt.datetime | None = None) -> tuple[int, PassResult]:
        """After a fix is deployed: clear every parked row's mark, then decide them (and whatever
        else is due) in a pass now. A row that still raises is parked again, and counted."""
        now = now or self.clock.now()
        unparked = self.store.unpark(london_today(now))
        log.info("scan.unparked", rows=unparked)
        return unparked, self.run(now)

    def _batch(self, due: Due, today: dt.date, now: dt.datetime, result: PassResult) -> bool:
        """Claim a batch of due rows and decide them, first in one go, then, if a row raised, a
        savepoint per row (two round trips per row: most of a quiet pass before). Returns whether
        a full batch was claimed."""
        try:
            return self._claimed(due, today, now, result, isolated=False)
        except _RowFailed:
            return self._claimed(due, today, now, result, isolated=True)

    def _claimed(self, due: Due, today: dt.date, now: dt.datetime, result: PassResult, *, isolated: bool) -> bool:
        decided: list[tuple] = []
        with self.store.batch(due, isolated=isolated) as batch:
            rows = batch.claim(today, self.batch)
            if not rows:
                return False
            context, writer = self._context(batch, due, rows), batch.writer(rows)
            one = self._commitment if due == "commitments" else self._pending
            moves: list[Move] = []
            for row in rows:
                work = _Row(batch, writer, context, today, now)
                try:
                    with batch.savepoint() if isolated else nullcontext():
                        moves += one(work, row)
                except Exception as exc:  # one bad row must not stop the pass for everyone else
                    if not isolated:
                        raise _RowFailed from exc  # the whole batch rolls back and runs again, isolated
                    self._park(batch, due, row.id, exc, now)
                    result.parked.append(row.id)
                    continue
                decided += work.decided
            try:
                writer.flush()
            except AlreadyRecorded as exc:  # someone recorded one of them first: go row by row
                raise _RowFailed from exc
            batch.move_dates(moves)  # most rows only move their next date: one statement for all
        for nid, n, rec, commitment in decided:
            self.recorder.decided(nid, n, rec, commitment)
        result.notices += [d[0] for d in decided]
        setattr(result, due, getattr(result, due) + len(rows))
        return len(rows) == self.batch

    @staticmethod
    def _context(batch: ScanBatch, due: Due, rows) -> BatchContext:
        if due == "commitments":
            rec_ids = [r.recommendation_id for r in rows]
            return BatchContext(batch.sent_keys(rec_ids), recommendations=batch.recommendations(rec_ids))
        return BatchContext(batch.sent_keys([r.id for r in rows]), panels=batch.panels({r.panel for r in rows}))

    @staticmethod
    def _park(batch: ScanBatch, due: Due, row_id: str, exc: Exception, now: dt.datetime) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        batch.park(row_id, error, now)
        ROW_FAILURES.inc()
        log.error("scan.row_failed", table=due, row_id=row_id, error=error, exc_info=exc)

    def _commitment(self, work: _Row, row) -> list[Move]:
        """Decide and record; returns the row's new date to set in bulk, if only the date moves."""
        today, now = work.today, work.now
        rec = work.context.recommendations[row.recommendation_id]
        policy = convert.policy(row)
        c = convert.commitment(row, work.context.sent.get(row.recommendation_id, frozenset()))
        notices_due = decide(c, today, policy)
        # An email still failing when the ladder's next step is due is given up (notice.failed).
        next_step = next_action_on(c.with_sent(*(n.key for n in notices_due)), today, policy)
        for n in notices_due:
            if self._record(work, n, rec, row, next_step):
                record = work.writer.append(row.id, n.kind, {"level": n.level, "reason": n.reason, "late": n.late},
                                            now)
                work.writer.event(publish.commitment_event(NOTICES[n.kind].event, row, today, record=record,
                                                           level=n.level, reason=n.reason))
            c = c.with_sent(n.key)
        status = time_transition(c, today, policy)
        if not status:
            return [(row.id, next_action_on(c, today, policy))]
        self._settle(work, row, c, status, policy)
        return []

    @staticmethod
    def _settle(work: _Row, row, c, status: str, policy) -> None:
        """Time alone made it kept (silence counted as the panel's yes) or lapsed: the same entry
        effect a command's change has (`apply_entry`), then its entry and event."""
        kept_on = settle(c, status, policy).kept_on
        why = ("the panel did not answer within the confirmation window" if status == "kept"
               else "past the last escalation level and still not done")
        entry = {"reason": why, **({"kept_on": kept_on.isoformat()} if status == "kept" and kept_on else {})}
        applied = apply_entry(c, status, entry, work.now, work.today, policy)
        assert applied is not None  # kept and lapsed always change the row
        nxt = next_action_on(c, work.today, policy)
        row = work.batch.set_columns(row.id, {**convert.changes(applied.commitment), **applied.columns,
                                              "next_action_on": nxt})
        record = work.writer.append(row.id, status, entry, work.now)
        event = "commitment.confirmed" if status == "kept" else "commitment.escalated"
        work.writer.event(publish.commitment_event(event, row, work.today, record=record, reason=why))

    def _pending(self, work: _Row, rec) -> list[Move]:
        today = work.today
        panel = work.context.panels.get(rec.panel)
        if panel is None:  # its panel event is still on its way
            return [(rec.id, today + dt.timedelta(days=1))]
        p = convert.pending(rec, panel, work.context.sent.get(rec.id, frozenset()))
        policy = self.policies.for_panel(rec.panel)
        for n in decide_response(p, today, policy):
            self._record(work, n, rec, None, None, panel)
            p = p.with_sent(n.key)
        return [(rec.id, next_response_on(p, today, policy))]

    def _record(self, work: _Row, n: Notice, rec, row, next_step: dt.date | None, panel=None) -> bool:
        nid, values, event = self.recorder.prepare(n, rec, row, work.now, next_step, panel)
        if not work.writer.notice(values, event):
            return False
        work.decided.append((nid, n, rec, row))
        return True
