"""The tracker's JSON API (SPEC §5). Public reads show no email addresses."""

from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas import CommitmentPublic
from services.common.problems import Problem
from services.tracker import publish, timeline
from services.tracker.clock import london_today
from services.tracker.store import commitments, recommendations

router = APIRouter(prefix="/api/v1")
PROBLEM = {"content": {"application/problem+json": {}}}


class TimelineEntry(BaseModel):
    seq: int
    at: str
    kind: str
    entry: dict


class CommitmentDetail(CommitmentPublic):
    recommendation_title: str
    timeline: list[TimelineEntry]


def _engine(request: Request):
    return request.app.state.engine


@router.get("/commitments", response_model=list[CommitmentPublic], summary="List commitments")
def list_commitments(
    request: Request,
    panel: Optional[str] = None,
    status: Optional[Literal["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]] = None,
    overdue: Optional[bool] = Query(default=None, description="only overdue (true) or only not overdue (false)"),
) -> list[CommitmentPublic]:
    q = select(commitments).order_by(commitments.c.due)
    if panel:
        q = q.where(commitments.c.panel == panel)
    if status:
        q = q.where(commitments.c.status == status)
    today = london_today()
    with _engine(request).connect() as conn:
        rows = conn.execute(q).all()
    out = [publish.public_state(r, today) for r in rows]
    if overdue is not None:
        out = [c for c in out if (c.days_overdue > 0) == overdue]
    return out


@router.get("/commitments/{commitment_id}", response_model=CommitmentDetail, responses={404: PROBLEM},
            summary="One commitment with its timeline")
def get_commitment(commitment_id: str, request: Request) -> CommitmentDetail:
    with Session(_engine(request)) as session:
        row = _find(session, commitment_id)
        rec = session.execute(select(recommendations.c.title)
                              .where(recommendations.c.id == row.recommendation_id)).scalar_one()
        entries = timeline.entries(session, commitment_id)
    return CommitmentDetail(
        **publish.public_state(row, london_today()).model_dump(),
        recommendation_title=rec,
        timeline=[TimelineEntry(seq=e.seq, at=str(e.at), kind=e.kind, entry=_public(e.entry)) for e in entries],
    )


@router.get("/commitments/{commitment_id}/audit", responses={404: PROBLEM},
            summary="Verify the commitment's hash-chained timeline")
def audit(commitment_id: str, request: Request) -> dict:
    with Session(_engine(request)) as session:
        _find(session, commitment_id)
        return {"commitment_id": commitment_id, **timeline.verify(timeline.entries(session, commitment_id))}


def _find(session: Session, commitment_id: str):
    row = session.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
    if row is None:
        raise Problem(404, "No such commitment", f"There is no commitment {commitment_id}; check the id.")
    return row


def _public(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if "email" not in k}
