"""What the pages and the API show of commitments and recommendations (contract §5), read for the web
layer, which only asks: one commitment with its recommendation (the respond and approve pages), the
API's list and details, and the check of a commitment's hash-chained timeline. Email addresses are in
the rows (the links are checked against them); the web layer leaves them out of what it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, not_, select
from sqlalchemy.orm import Session

from services.tracker.adapters import timeline
from services.tracker.adapters.rows import CommitmentRow, RecommendationRow, TimelineRow
from services.tracker.adapters.store import commitments, recommendations, replies
from services.tracker.domain.rules import ACTIVE
from services.tracker.usecases.errors import NotFound


def with_recommendation(engine: Engine, commitment_id: str) -> tuple[CommitmentRow, RecommendationRow] | None:
    """A commitment and the recommendation it answers, or None if there is no such commitment."""
    with Session(engine) as s:
        row = s.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
        if row is None:
            return None
        return row, s.execute(select(recommendations).where(recommendations.c.id == row.recommendation_id)).one()


def panel_of(engine: Engine, commitment_id: str) -> str | None:
    with Session(engine) as s:
        return s.execute(select(commitments.c.panel).where(commitments.c.id == commitment_id)).scalar()


def listed(engine: Engine, today: dt.date, panel: str | None, status: str | None, overdue: bool | None,
           limit: int, offset: int) -> list[CommitmentRow]:
    """Commitments in due-date order, filtered; `overdue`: only late (True) or only not late (False)."""
    q = select(commitments).order_by(commitments.c.due, commitments.c.id).limit(limit).offset(offset)
    if panel:
        q = q.where(commitments.c.panel == panel)
    if status:
        q = q.where(commitments.c.status == status)
    if overdue is not None:
        late = and_(commitments.c.status.in_(ACTIVE), commitments.c.due < today)
        q = q.where(late if overdue else not_(late))
    with engine.connect() as conn:
        return conn.execute(q).all()


@dataclass(frozen=True)
class CommitmentDetail:
    row: CommitmentRow
    recommendation_title: str
    entries: list[TimelineRow]
    replies: list  # the panel's replies to the decision on its recommendation, oldest first


def detail(engine: Engine, commitment_id: str) -> CommitmentDetail:
    with Session(engine) as s:
        row = _find(s, commitment_id)
        title = s.execute(select(recommendations.c.title)
                          .where(recommendations.c.id == row.recommendation_id)).scalar_one()
        return CommitmentDetail(row=row, recommendation_title=title, entries=timeline.entries(s, commitment_id),
                                replies=_replies(s, row.recommendation_id))


@dataclass(frozen=True)
class RecommendationDetail:
    row: RecommendationRow
    commitment_id: str | None
    replies: list


def recommendation(engine: Engine, recommendation_id: str) -> RecommendationDetail:
    with Session(engine) as s:
        rec = s.execute(select(recommendations).where(recommendations.c.id == recommendation_id)).first()
        if rec is None:
            raise NotFound(f"There is no recommendation {recommendation_id}; check the id.")
        cid = s.execute(select(commitments.c.id).where(commitments.c.recommendation_id == recommendation_id)).scalar()
        return RecommendationDetail(row=rec, commitment_id=cid, replies=_replies(s, recommendation_id))


def audit(engine: Engine, commitment_id: str) -> dict[str, Any]:
    """Recompute the commitment's hash chain: whether it is intact, and where it breaks if not."""
    with Session(engine) as s:
        _find(s, commitment_id)
        return timeline.verify(timeline.entries(s, commitment_id))


def _replies(s: Session, recommendation_id: str) -> list:
    return s.execute(select(replies).where(replies.c.recommendation_id == recommendation_id)
                     .order_by(replies.c.at, replies.c.id)).all()


def _find(s: Session, commitment_id: str) -> CommitmentRow:
    row = s.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
    if row is None:
        raise NotFound(f"There is no commitment {commitment_id}; check the id.")
    return row
