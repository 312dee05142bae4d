"""The tracker's JSON API (contract §5). Public reads show no email addresses."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from schemas import CommitmentPublic
from services.common.auth import require_roles
from services.common.problems import FORBIDDEN
from services.common.tokens import Principal
from services.tracker.adapters import publish
from services.tracker.usecases import actions, commitmentview, panelaudit, replies
from services.tracker.web.bodies import (
    ExtensionIn,
    OwnerIn,
    ReopenIn,
    ReplyIn,
    ReplyOut,
    UpdateIn,
    VerdictIn,
    WithdrawalIn,
)
from services.tracker.web.forms import client_of

router = APIRouter(prefix="/api/v1")
PROBLEM = {"content": {"application/problem+json": {}}}


class TimelineEntry(BaseModel):
    seq: int
    at: str
    kind: str
    entry: dict


class ReplyEntry(BaseModel):
    """The youth panel's answer to one decision."""
    at: str
    decision: Literal["agreed", "declined", "withdrawn"]
    reply: Literal["accept", "insist", "counter"]
    comment: str
    respond_by: Optional[dt.date] = None
    counter_id: Optional[str] = None


class CommitmentDetail(CommitmentPublic):
    recommendation_title: str
    timeline: list[TimelineEntry]
    replies: list[ReplyEntry] = []


class RecommendationDetail(BaseModel):
    """A recommendation, the police's decision on it and the panel's replies (no email addresses)."""
    id: str
    panel: str
    raised_on: dt.date
    title: str
    detail: str
    themes: list[str]
    decision: Literal["agreed", "declined", "in_principle", "pending"]
    decline_reason: Optional[str] = None
    decline_code: Optional[str] = None
    who_can: Optional[str] = None
    respond_by: Optional[dt.date] = None
    reason: Optional[str] = Field(default=None, description="in_principle: the police's plain reason")
    decide_by: Optional[dt.date] = Field(default=None, description="in_principle: it must be agreed or declined "
                                                                    "by this day")
    counter_to: Optional[str] = Field(default=None, description="the recommendation this counter-proposal answers")
    commitment_id: Optional[str] = None
    replies: list[ReplyEntry]


def _engine(request: Request):
    return request.app.state.engine


@router.get("/commitments", response_model=list[CommitmentPublic], summary="List commitments")
def list_commitments(
    request: Request,
    panel: Optional[str] = None,
    status: Optional[Literal["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]] = None,
    overdue: Optional[bool] = Query(default=None, description="only overdue (true) or only not overdue (false)"),
    limit: int = Query(default=100, ge=1, le=500, description="at most this many, in due-date order"),
    offset: int = Query(default=0, ge=0, description="skip this many (the next page: offset + limit)"),
) -> list[CommitmentPublic]:
    today = request.app.state.clock.today()
    rows = commitmentview.listed(_engine(request), today, panel, status, overdue, limit, offset)
    return [publish.public_state(r, today) for r in rows]


@router.get("/commitments/{commitment_id}", response_model=CommitmentDetail, responses={404: PROBLEM},
            summary="One commitment with its timeline")
def get_commitment(commitment_id: str, request: Request) -> CommitmentDetail:
    found = commitmentview.detail(_engine(request), commitment_id)
    return CommitmentDetail(
        **publish.public_state(found.row, request.app.state.clock.today()).model_dump(),
        recommendation_title=found.recommendation_title,
        timeline=[TimelineEntry(seq=e.seq, at=str(e.at), kind=e.kind, entry=_public(e.entry)) for e in found.entries],
        replies=_replies(found.replies),
    )


@router.get("/recommendations/{recommendation_id}", response_model=RecommendationDetail, responses={404: PROBLEM},
            summary="One recommendation: the police's decision (with its decline code) and the panel's replies")
def get_recommendation(recommendation_id: str, request: Request) -> RecommendationDetail:
    found = commitmentview.recommendation(_engine(request), recommendation_id)
    rec = found.row
    declined, principle = rec.decision == "declined", rec.decision == "in_principle"
    return RecommendationDetail(
        id=rec.id, panel=rec.panel, raised_on=rec.raised_on, title=rec.title, detail=rec.detail,
        themes=list(rec.themes), decision=rec.decision, decline_reason=rec.decline_reason if declined else None,
        decline_code=(rec.decline_code or "other") if declined else None, who_can=rec.who_can if declined else None,
        respond_by=rec.respond_by if rec.decision == "pending" else rec.decide_by if principle else None,
        reason=rec.principle_reason if principle else None, decide_by=rec.decide_by if principle else None,
        counter_to=rec.counter_to,
        commitment_id=found.commitment_id, replies=_replies(found.replies))


def _replies(rows: list) -> list[ReplyEntry]:
    return [ReplyEntry(at=str(r.at), decision=r.decision, reply=r.reply, comment=r.comment, respond_by=r.respond_by,
                       counter_id=r.counter_id) for r in rows]


@router.get("/commitments/{commitment_id}/audit", responses={404: PROBLEM},
            summary="Verify the commitment's hash-chained timeline")
def audit(commitment_id: str, request: Request) -> dict:
    return {"commitment_id": commitment_id, **commitmentview.audit(_engine(request), commitment_id)}


@router.get("/panels/{panel}/audit", responses={404: PROBLEM},
            summary="Verify the panel's hash chains: its replies to decisions and its trust pulse's published steps")
def panel_audit(panel: str, request: Request) -> dict:
    return {"panel": panel, **panelaudit.audit(_engine(request), panel)}


owner_or_admin = require_roles(_engine, "admin", "owner")
# A supervisor holds an `owner` token in their own name.
WRITE_ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM}


def _owner_or_admin(who: Principal | None):
    def check(row) -> None:
        if who is not None and who.role == "owner" and not _same(who.email, row.owner_email):
            raise FORBIDDEN("Only this commitment's owner or an admin can change it.")
    return check


def _owner_supervisor_or_admin(who: Principal):
    """A handover: the owner, or (when the owner has gone, contract §5) the supervisor on its ladder."""
    def check(row) -> None:
        if who.role != "admin" and not (_same(who.email, row.owner_email)
                                         or _same(who.email, row.escalation["supervisor"])):
            raise FORBIDDEN("Only this commitment's owner, the supervisor on its ladder or an admin can hand it over.")
    return check


def _supervisor_or_admin(who: Principal):
    """Dropping a promise is not the owner's call alone: an admin, or the supervisor on its ladder."""
    def check(row) -> None:
        if who.role != "admin" and not _same(who.email, row.escalation["supervisor"]):
            raise FORBIDDEN(
                "Only an admin or the supervisor named on this commitment's ladder can withdraw it.")
    return check


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().lower() == b.strip().lower()


def _write(request: Request, commitment_id: str, who: Principal | None, command, check=None,
           **kwargs) -> CommitmentPublic:
    check = check or _owner_or_admin(who)
    if command in (actions.extend, actions.withdraw, actions.hand_over, actions.post_update, actions.reopen):
        kwargs["recorder"] = request.app.state.recorder
    app = request.app.state
    state = actions.run(app.storage, app.clock, commitment_id, command, check, **kwargs)
    request.app.state.after_write()  # publish now, and let the scan decide what follows
    return state


@router.post("/commitments/{commitment_id}/updates", response_model=CommitmentPublic, responses=WRITE_ERRORS,
             summary="Post progress, or mark it done with evidence")
def post_update(commitment_id: str, body: UpdateIn, request: Request,
                who: Principal = Depends(owner_or_admin)) -> CommitmentPublic:
    return _write(request, commitment_id, who, actions.post_update, **body.model_dump())


@router.post("/commitments/{commitment_id}/owner", response_model=CommitmentPublic, responses=WRITE_ERRORS,
             summary="Hand the commitment over to a new owner")
def hand_over(commitment_id: str, body: OwnerIn, request: Request,
              who: Principal = Depends(owner_or_admin)) -> CommitmentPublic:
    return _write(request, commitment_id, who, actions.hand_over, _owner_supervisor_or_admin(who),
                  **body.model_dump(mode="json"))


@router.post("/commitments/{commitment_id}/extensions", response_model=CommitmentPublic, responses=WRITE_ERRORS,
             summary="Move the deadline, with a public reason")
def extend(commitment_id: str, body: ExtensionIn, request: Request,
           who: Principal = Depends(owner_or_admin)) -> CommitmentPublic:
    return _write(request, commitment_id, who, actions.extend, **body.model_dump())


@router.post("/commitments/{commitment_id}/withdrawal", response_model=CommitmentPublic, responses=WRITE_ERRORS,
             summary="Withdraw the commitment, with a public reason (an admin, or the supervisor on its ladder)")
def withdraw(commitment_id: str, body: WithdrawalIn, request: Request,
             who: Principal = Depends(owner_or_admin)) -> CommitmentPublic:
    return _write(request, commitment_id, who, actions.withdraw, _supervisor_or_admin(who), **body.model_dump())


@router.post("/commitments/{commitment_id}/verdict", response_model=CommitmentPublic,
             responses={**WRITE_ERRORS, 429: PROBLEM},
             summary="The youth panel confirms or disputes that it was done (needs the panel's access code)")
def verdict(commitment_id: str, body: VerdictIn, request: Request) -> CommitmentPublic:
    request.app.state.access.check(commitment_id, body.access_code, client_of(request))
    return _write(request, commitment_id, None, actions.verdict, verdict=body.verdict, comment=body.comment)


@router.post("/commitments/{commitment_id}/reopen", response_model=CommitmentPublic,
             responses={**WRITE_ERRORS, 429: PROBLEM},
             summary="The youth panel reopens a kept promise that is no longer working (needs the panel's access "
                     "code; within the policy's reopen window)")
def reopen(commitment_id: str, body: ReopenIn, request: Request) -> CommitmentPublic:
    request.app.state.access.check(commitment_id, body.access_code, client_of(request))
    return _write(request, commitment_id, None, actions.reopen, comment=body.comment)


@router.post("/recommendations/{recommendation_id}/reply", response_model=ReplyOut, status_code=201,
             responses={**WRITE_ERRORS, 429: PROBLEM},
             summary="The youth panel answers a decision: accept, insist or counter (needs the panel's access code)")
def reply(recommendation_id: str, body: ReplyIn, request: Request) -> ReplyOut:
    request.app.state.access.check_recommendation(recommendation_id, body.access_code, client_of(request))
    return send_reply(request, recommendation_id, body)


def send_reply(request: Request, recommendation_id: str, body: ReplyIn) -> ReplyOut:
    """Record the panel's reply (its code already checked), publish it, and let the scan follow on."""
    state = request.app.state
    done = replies.reply(state.storage, state.clock, state.tracker.policies, state.recorder,
                         recommendation_id, reply=body.reply, comment=body.comment, title=body.title,
                         detail=body.detail)
    state.after_write()
    return ReplyOut(recommendation_id=done.recommendation_id, decision=done.decision, reply=done.reply,
                    respond_by=done.respond_by, counter_id=done.counter_id,
                    status_url=f"{state.settings.public_url}/panels/{done.panel}")


def _public(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if "email" not in k and k != "owner"}
