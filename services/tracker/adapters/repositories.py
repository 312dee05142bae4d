"""The unit of work's repositories on the tracker's tables: each reads and writes one kind of row
in the session it is given, so everything a use case writes commits together. The "once" rules
are the tables' unique keys (`store.py`), never a read before the write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.common import outbox as outbox_mod
from services.common.db import for_update, insert_new, insert_once
from services.tracker.adapters import store, timeline
from services.tracker.adapters.rows import CommitmentRow, PanelRow, RecommendationRow
from services.tracker.adapters.scan_writers import ImmediateWriter


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session


class Commitments(_Repository):
    def get(self, commitment_id: str, *, lock: bool = False) -> CommitmentRow | None:
        stmt = select(store.commitments).where(store.commitments.c.id == commitment_id)
        return self.session.execute(for_update(self.session, stmt) if lock else stmt).first()

    def of_recommendation(self, recommendation_id: str) -> CommitmentRow | None:
        t = store.commitments
        return self.session.execute(select(t).where(t.c.recommendation_id == recommendation_id)).first()

    def update(self, commitment_id: str, values: dict[str, Any]) -> CommitmentRow:
        t = store.commitments
        self.session.execute(update(t).where(t.c.id == commitment_id).values(**values))
        return self.session.execute(select(t).where(t.c.id == commitment_id)).one()

    def add_new(self, rows: list[dict[str, Any]]) -> set[str]:
        return insert_new(self.session, store.commitments, rows)

    def give_a_day(self, panel: str, today: dt.date) -> None:
        t = store.commitments
        self.session.execute(update(t).where(t.c.panel == panel, t.c.status == "done")
                             .values(confirm_extra_days=t.c.confirm_extra_days + 1, next_action_on=today))


class Recommendations(_Repository):
    def get(self, recommendation_id: str, *, lock: bool = False) -> RecommendationRow | None:
        stmt = select(store.recommendations).where(store.recommendations.c.id == recommendation_id)
        return self.session.execute(for_update(self.session, stmt) if lock else stmt).first()

    def update(self, recommendation_id: str, values: dict[str, Any]) -> RecommendationRow:
        t = store.recommendations
        self.session.execute(update(t).where(t.c.id == recommendation_id).values(**values))
        return self.session.execute(select(t).where(t.c.id == recommendation_id)).one()

    def add_new(self, rows: list[dict[str, Any]]) -> set[str]:
        return insert_new(self.session, store.recommendations, rows)

    def decided(self, days: dict[str, dt.date]) -> None:
        if not days:
            return
        t = store.recommendations  # one statement for the batch
        self.session.execute(update(t).where(t.c.id == bindparam("rid"))
                             .values(decision="agreed", decided_on=bindparam("day"), next_action_on=None,
                                     parked_at=None, parked_error=None),
                             [{"rid": rid, "day": day} for rid, day in days.items()])


class Panels(_Repository):
    def get(self, slug: str) -> PanelRow | None:
        return self.session.execute(select(store.panels).where(store.panels.c.slug == slug)).first()

    def save(self, slug: str, values: dict[str, Any]) -> None:
        if not insert_once(self.session, store.panels, slug=slug, **values):
            self.session.execute(update(store.panels).where(store.panels.c.slug == slug).values(**values))


class Timeline(_Repository):
    def append(self, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        return timeline.append(self.session, commitment_id, kind, entry, at)

    def add_first(self, records: list[dict[str, Any]]) -> None:
        if records:
            self.session.execute(store.timeline.insert(), records)


class Notices(_Repository):
    def sent_keys(self, recommendation_id: str) -> frozenset[str]:
        t = store.notices
        return frozenset(self.session.execute(select(t.c.key).where(t.c.recommendation_id == recommendation_id))
                         .scalars())

    def commitment_of(self, notice_id: str) -> str | None:
        t = store.notices
        return self.session.execute(select(t.c.commitment_id).where(t.c.id == notice_id)).scalar()

    def add(self, notice: dict[str, Any], event: dict[str, Any]) -> bool:
        return ImmediateWriter(self.session).notice(notice, event)


class Replies(_Repository):
    def exists(self, reply_id: str) -> bool:
        t = store.replies
        return self.session.execute(select(t.c.id).where(t.c.id == reply_id)).first() is not None

    def add(self, values: dict[str, Any]) -> bool:
        return insert_once(self.session, store.replies, **values)


class Outbox(_Repository):
    def add(self, event: dict[str, Any]) -> None:
        outbox_mod.add(self.session, store.outbox, event)

    def add_many(self, events: list[dict[str, Any]]) -> None:
        outbox_mod.add_many(self.session, store.outbox, events)


class Inbox(_Repository):
    def first_seen(self, event_ids: list[str]) -> set[str]:
        return insert_new(self.session, store.processed_events, [{"event_id": e} for e in event_ids])

    def delivery_failed(self, values: dict[str, Any]) -> bool:
        return insert_once(self.session, store.delivery_failures, **values)
