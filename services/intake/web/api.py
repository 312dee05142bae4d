"""Intake's HTTP API (contract §5): thin routes over the use cases in `usecases/record.py`."""

from __future__ import annotations

import hashlib

import structlog
from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import Counter

from services.common.auth import require_roles
from services.common.problems import NOT_UTF8
from services.common.tokens import Principal
from services.intake.domain.submissions import DecisionIn, PanelIn, RecommendationIn
from services.intake.usecases import csvimport, record
from services.intake.usecases.keys import MAX_KEY_LENGTH, TTL, check_key
from services.intake.web.bodies import PanelCreated, PanelCreatedAgain, RecommendationCreated

router = APIRouter(prefix="/api/v1")
CSV_IMPORT = "/api/v1/recommendations/import"  # the one route that takes a larger body
log = structlog.get_logger()
RECORDED = Counter("followthrough_recommendations_recorded_total", "Recommendations recorded by intake", ["decision"])


def _engine(request: Request):
    return request.app.state.engine


admin = require_roles(_engine, "admin")
writer = require_roles(_engine, "admin", "facilitator")
PROBLEM = {"content": {"application/problem+json": {}}}
ERRORS = {401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM}
IDEMPOTENCY_KEY = Header(
    default=None, description=f"Send the same key again to repeat this request safely: within "
    f"{int(TTL.total_seconds() // 3600)} hours, the same key and body get the first answer, another body a 409. "
    f"At most {MAX_KEY_LENGTH} characters; keys are per token.")


@router.post("/panels", status_code=201, response_model=PanelCreated | PanelCreatedAgain, responses=ERRORS,
             summary="Register a youth panel and its default escalation ladder")
def create_panel(req: PanelIn, request: Request, who: Principal = Depends(admin),
                 idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state
    status, body = record.register_panel(state.storage, req, state.clock.now(), key=idempotency_key,
                                         caller=who.token_id, public_url=state.settings.public_url)
    state.relay.wake()
    return JSONResponse(body, status_code=status)


@router.post("/recommendations", status_code=201, response_model=RecommendationCreated, responses=ERRORS,
             summary="Record a recommendation and the police's decision on it")
def create_recommendation(req: RecommendationIn, request: Request, who: Principal = Depends(writer),
                          idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state
    status, body = record.record_one(state.storage, req, state.clock.now(), who=who, key=idempotency_key,
                                     policies=state.policies, themes=state.themes,
                                     public_url=state.settings.public_url)
    state.relay.wake()
    RECORDED.labels(req.decision).inc()
    log.info("recommendation.recorded", recommendation_id=body["recommendation_id"],
             commitment_id=body.get("commitment_id"), decision=req.decision, panel=req.panel)
    return JSONResponse(body, status_code=status)


@router.post("/recommendations/{recommendation_id}/decision", status_code=201,
             response_model=RecommendationCreated, responses={**ERRORS, 404: PROBLEM},
             summary="Agree, decline or say yes in principle to a pending recommendation; then agree or decline")
def decide(recommendation_id: str, req: DecisionIn, request: Request, who: Principal = Depends(writer),
           idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state
    status, body = record.decide(state.storage, recommendation_id, req, state.clock.now(), who=who,
                                 key=idempotency_key, policies=state.policies, public_url=state.settings.public_url)
    state.relay.wake()
    return JSONResponse(body, status_code=status)


@router.post(
    CSV_IMPORT.removeprefix(router.prefix), status_code=201, responses={**ERRORS, 415: PROBLEM},
    summary="Import a session's recommendations from CSV (all or nothing)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {
        "schema": {"type": "string"},
        "example": csvimport.template() + "wf-panel,2026-01-14,Explain every stop,,stop-and-search;respect,"
                   "pending,,56,,,,,,,,,,,,,,,,,,,,,\n"}}}},
)
async def import_csv(request: Request, who: Principal = Depends(writer),
                     idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state
    if idempotency_key:
        check_key(idempotency_key)  # before reading a large file
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NOT_UTF8("Save the CSV as UTF-8 and send it as text/csv.") from None
    rows = csvimport.parse(text, state.themes, state.clock.today())
    fingerprint = "csv:" + hashlib.sha256(raw).hexdigest()
    status, body = await run_in_threadpool(lambda: csvimport.import_rows(
        state.storage, rows, fingerprint, state.clock.now(), who=who, key=idempotency_key, policies=state.policies))
    state.relay.wake()
    return JSONResponse(body, status_code=status)
