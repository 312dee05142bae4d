"""Intake's HTTP API (SPEC §5): thin routes over record.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from services.common.auth import require_roles
from services.common.problems import Problem
from services.common.tokens import Principal
from services.intake import record
from services.intake.idempotency import run_once
from services.intake.requests import PanelCreated, PanelIn, RecommendationCreated, RecommendationIn

router = APIRouter(prefix="/api/v1")


def _engine(request: Request):
    return request.app.state.engine


admin = require_roles(_engine, "admin")
writer = require_roles(_engine, "admin", "facilitator")
PROBLEM = {"content": {"application/problem+json": {}}}
ERRORS = {401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM}


@router.post("/panels", status_code=201, response_model=PanelCreated, responses=ERRORS,
             summary="Register a youth panel and its default escalation ladder")
def create_panel(req: PanelIn, request: Request, who: Principal = Depends(admin),
                 idempotency_key: str | None = Header(default=None)) -> JSONResponse:
    state = request.app.state

    def work(session):
        code = record.create_panel(session, req)
        return 201, PanelCreated(slug=req.slug, access_code=code,
                                 status_url=f"{state.settings.public_url}/panels/{req.slug}").model_dump()

    status, body = run_once(state.engine, idempotency_key, "panel:" + req.model_dump_json(), work)
    state.relay.wake()
    return JSONResponse(body, status_code=status)


@router.post("/recommendations", status_code=201, response_model=RecommendationCreated, responses=ERRORS,
             summary="Record a recommendation and the police's decision on it")
def create_recommendation(req: RecommendationIn, request: Request, who: Principal = Depends(writer),
                          idempotency_key: str | None = Header(default=None)) -> JSONResponse:
    state = request.app.state
    errors = req.problems(state.themes)
    if errors:
        raise record.invalid(errors)
    if not who.may_write_panel(req.panel):
        raise Problem(403, "Not allowed", f"This facilitator token is limited to panel '{who.panel}'.")

    def work(session):
        rec_id, commitment_id = record.record_recommendation(session, req)
        return 201, RecommendationCreated(
            recommendation_id=rec_id, commitment_id=commitment_id,
            status_url=f"{state.settings.public_url}/panels/{req.panel}",
        ).model_dump()

    status, body = run_once(state.engine, idempotency_key, "rec:" + req.model_dump_json(), work)
    state.relay.wake()
    return JSONResponse(body, status_code=status)
