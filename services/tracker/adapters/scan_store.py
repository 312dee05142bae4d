"""The scan's storage on the database (the use case's `ScanStore` and `ScanBatch`).

Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas scanning together
split the work; on SQLite the batch takes the write lock first, so scanners run one at a
time and savepoints nest inside a real transaction."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Engine, bindparam, select, text, update
from sqlalchemy.orm import Session

from services.common.db import for_update
from services.tracker.adapters.scan_writers import BatchedWriter, ImmediateWriter
from services.tracker.adapters.store import commitments, notices, panels, recommendations

WriterFactory = Callable[[Session, list[str]], Any]  # (session, the batch's commitment ids) -> a writer
TABLES = {"commitments": commitments, "recommendations": recommendations}


def batched(session: Session, commitment_ids: list[str]) -> BatchedWriter:
    return BatchedWriter(session, commitment_ids)


def immediate(session: Session, commitment_ids: list[str]) -> ImmediateWriter:
    return ImmediateWriter(session)


class SqlScanStore:
    """`writer`: how a whole batch writes (batched: a statement per table, the default)."""

    def __init__(self, engine: Engine, writer: WriterFactory = batched) -> None:
        self.engine, self.whole_batch_writer = engine, writer

    @contextmanager
    def batch(self, due: str, *, isolated: bool) -> Iterator[SqlScanBatch]:
        with Session(self.engine) as session, session.begin():
            yield SqlScanBatch(session, TABLES[due], immediate if isolated else self.whole_batch_writer)


    def unpark(self, today: dt.date) -> int:
        with Session(self.engine) as session, session.begin():
            return sum(session.execute(update(t).where(t.c.parked_at.is_not(None))
                                       .values(parked_at=None, parked_error=None, next_action_on=today)).rowcount
                       for t in (commitments, recommendations))


class SqlScanBatch:
    def __init__(self, session: Session, table, writer: WriterFactory) -> None:
        self.session, self.table, self.make_writer = session, table, writer

    def claim(self, today: dt.date, limit: int) -> Sequence[Any]:
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(text("BEGIN IMMEDIATE"))
        t = self.table
        q = (select(t).where(t.c.next_action_on <= today, t.c.parked_at.is_(None))
             .order_by(t.c.next_action_on).limit(limit))
        return self.session.execute(for_update(self.session, q, skip_locked=True)).all()

    def sent_keys(self, recommendation_ids: list[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for rid, key in self.session.execute(select(notices.c.recommendation_id, notices.c.key)
                                             .where(notices.c.recommendation_id.in_(recommendation_ids))):
            found.setdefault(rid, set()).add(key)
        return {k: frozenset(v) for k, v in found.items()}

    def recommendations(self, ids: list[str]) -> dict[str, Any]:
        q = select(recommendations).where(recommendations.c.id.in_(ids))
        return {r.id: r for r in self.session.execute(q).all()}

    def panels(self, slugs: set[str]) -> dict[str, Any]:
        return {p.slug: p for p in self.session.execute(select(panels).where(panels.c.slug.in_(slugs))).all()}

    def savepoint(self):
        return self.session.begin_nested()

    def writer(self, rows: Sequence[Any]):
        return self.make_writer(self.session, [r.id for r in rows] if self.table is commitments else [])

    def set_columns(self, commitment_id: str, values: dict[str, Any]) -> Any:
        self.session.execute(update(commitments).where(commitments.c.id == commitment_id).values(**values))
        return self.session.execute(select(commitments).where(commitments.c.id == commitment_id)).one()

    def move_dates(self, moves: list[tuple[str, dt.date | None]]) -> None:
        if moves:
            t = self.table
            self.session.execute(update(t).where(t.c.id == bindparam("rid")).values(next_action_on=bindparam("nxt"))
                                 .execution_options(synchronize_session=False),
                                 [{"rid": rid, "nxt": nxt} for rid, nxt in moves])

    def park(self, row_id: str, error: str, now: dt.datetime) -> None:
        t = self.table
        self.session.execute(update(t).where(t.c.id == row_id).values(parked_at=now, parked_error=error))
