"""The auditor's storage (the use case's `AuditStore`): the rows it reads, and since when each
notice has been owed (`tracker_owed_notices`, shared by replicas and kept across restarts).

A pass reads two windows of each table: the rows with something due (`next_action_on <= today`,
by its index: the rows the scan picks, parked or not) and the rows it already saw owe a notice
(by primary key, their ids from the owed-since table), so its cost follows what is due and what
is owed, not the portfolio."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    String,
    Table,
    bindparam,
    delete,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from schemas.policy import PolicyFile
from services.tracker.adapters import convert
from services.tracker.adapters.store import commitments, metadata, notices, panels, recommendations
from services.tracker.domain.model import ACTIVE
from services.tracker.domain.rules import OWING

owed_since = Table(
    "tracker_owed_notices", metadata,
    Column("subject_id", String(36), primary_key=True),  # a commitment's id, or a pending recommendation's
    Column("key", String(80), primary_key=True),  # the notice key (contract §4)
    Column("since", DateTime(timezone=True), nullable=False),  # when a pass first saw it owed
)
# Partial indexes (made by the same migration): only parked rows are in them, so listing the
# parked rows on every pass costs nothing per row of the portfolio.
for _table in (commitments, recommendations):
    Index(f"ix_{_table.name}_parked", _table.c.parked_at, postgresql_where=_table.c.parked_at.is_not(None),
          sqlite_where=_table.c.parked_at.is_not(None))

AUDITED = ACTIVE | {"done", "kept"}  # the statuses whose ladder can still owe a notice
Owed = tuple[str, str]


class SqlAuditStore:
    def __init__(self, engine: Engine, policies: PolicyFile, batch: int = 2000) -> None:
        self.engine, self.policies, self.batch = engine, policies, batch

    def subjects(self, today: dt.date | None, followed: set[str] = frozenset()) -> Iterator[tuple[str, Any]]:
        """(row id, a function that reads the row as the ladder's subject and its policy) for every
        row due on `today` or `followed`; with None, every row of the portfolio."""
        with Session(self.engine) as session:
            for rows in self._rows(session, commitments, commitments.c.status.in_(AUDITED), today, followed):
                sent = _sent(session, [r.recommendation_id for r in rows])
                for row in rows:
                    yield row.id, _commitment(row, sent.get(row.recommendation_id, frozenset()))
            pending = recommendations.c.decision.in_(OWING)
            for rows in self._rows(session, recommendations, pending, today, followed):
                sent = _sent(session, [r.id for r in rows])
                found = {p.slug: p for p in session.execute(
                    select(panels).where(panels.c.slug.in_({r.panel for r in rows})))}
                for rec in rows:
                    if rec.panel in found:  # its panel event is still on its way: nothing owed yet
                        yield rec.id, self._pending(rec, found[rec.panel], sent.get(rec.id, frozenset()))

    def owed_since(self) -> dict[Owed, dt.datetime]:
        with Session(self.engine) as session:
            return {(r.subject_id, r.key): _aware(r.since) for r in session.execute(select(owed_since))}

    def remember(self, new: dict[Owed, dt.datetime], gone: set[Owed]) -> None:
        """Insert-once by the table's key (another replica may have seen it first: its time stays);
        forget what is no longer owed."""
        with Session(self.engine) as session, session.begin():
            if new:
                dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
                session.execute(dialect.insert(owed_since).on_conflict_do_nothing(),
                                [{"subject_id": s, "key": k, "since": at.astimezone(dt.timezone.utc)}
                                 for (s, k), at in new.items()])
            if gone:
                session.execute(delete(owed_since).where(owed_since.c.subject_id == bindparam("s"),
                                                         owed_since.c.key == bindparam("k"))
                                .execution_options(synchronize_session=False),
                                [{"s": s, "k": k} for s, k in gone])

    def parked(self) -> list[tuple[str, str, str]]:
        return parked_rows(self.engine)

    def _rows(self, session: Session, table: Table, kind, today: dt.date | None, followed: set[str]) -> Iterator:
        """Pages of rows: the due window by the date's index (every row with None), then the
        followed rows whose date moved on by their primary key, a page of ids per statement (a
        subquery on the owed-since table lets the planner scan the whole table instead)."""
        if today is None:
            yield from self._pages(session, table, kind, true())
            return
        yield from self._pages(session, table, kind, table.c.next_action_on <= today)
        moved_on = or_(table.c.next_action_on.is_(None), table.c.next_action_on > today)
        ids = sorted(followed)
        for page in (ids[i:i + self.batch] for i in range(0, len(ids), self.batch)):
            if rows := session.execute(select(table).where(kind, moved_on, table.c.id.in_(page))).all():
                yield rows

    def _pages(self, session: Session, table: Table, *where) -> Iterator[list]:
        last_id = ""
        while rows := session.execute(select(table).where(*where, table.c.id > last_id)
                                      .order_by(table.c.id).limit(self.batch)).all():
            yield rows
            last_id = rows[-1].id

    def _pending(self, rec, panel, sent: frozenset[str]):
        return lambda: (convert.pending(rec, panel, sent), self.policies.for_panel(rec.panel))


def parked_rows(engine: Engine) -> list[tuple[str, str, str]]:
    """(table, id, error) of every row the scanner parked."""
    with Session(engine) as session:
        return [(t.name, r.id, r.parked_error) for t in (commitments, recommendations)
                for r in session.execute(select(t.c.id, t.c.parked_error).where(t.c.parked_at.is_not(None)))]


def _aware(at: dt.datetime) -> dt.datetime:
    """SQLite hands back the UTC time it was given without its zone."""
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def _commitment(row, sent: frozenset[str]):
    return lambda: (convert.commitment(row, sent), convert.policy(row))


def _sent(session: Session, rec_ids: list[str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for rid, key in session.execute(select(notices.c.recommendation_id, notices.c.key)
                                    .where(notices.c.recommendation_id.in_(rec_ids))):
        found.setdefault(rid, set()).add(key)
    return {k: frozenset(v) for k, v in found.items()}
