"""Intake's HTTP API (contract §5): thin routes over record.py."""

from __future__ import annotations

import hashlib

import structlog
from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import BaseModel

from services.common.auth import require_roles
from services.common.problems import CSV_NOT_IMPORTED, FORBIDDEN, NOT_UTF8, Problem
from services.common.tokens import Principal
from services.intake import csvimport, record
from services.intake.idempotency import MAX_KEY_LENGTH, TTL, check_key, run_once
from services.intake.requests import DecisionIn, PanelCreated, PanelIn, RecommendationCreated, RecommendationIn

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
ACCESS_CODE_SHOWN_ONCE = ("The access code was shown once, in the first answer to this request, and is not kept. "
                          "If it is lost, an admin gives the panel a new one with "
                          "`followthrough panel rotate-code SLUG`.")


class PanelCreatedAgain(BaseModel):
    """A repeat (same Idempotency-Key and body) of a panel's registration: no access code."""
    slug: str
    status_url: str
    note: str


@router.post("/panels", status_code=201, response_model=PanelCreated | PanelCreatedAgain, responses=ERRORS,
             summary="Register a youth panel and its default escalation ladder")
def create_panel(req: PanelIn, request: Request, who: Principal = Depends(admin),
                 idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state

    def work(session):
        code = record.create_panel(session, req, state.clock.now())
        return 201, PanelCreated(slug=req.slug, access_code=code,
                                 status_url=f"{state.settings.public_url}/panels/{req.slug}").model_dump()

    status, body = run_once(state.engine, idempotency_key, "panel:" + req.model_dump_json(), work,
                            caller=who.token_id, now=state.clock.now(),
                            shown_once={"access_code": ACCESS_CODE_SHOWN_ONCE})
    state.relay.wake()
    return JSONResponse(body, status_code=status)


@router.post("/recommendations", status_code=201, response_model=RecommendationCreated, responses=ERRORS,
             summary="Record a recommendation and the police's decision on it")
def create_recommendation(req: RecommendationIn, request: Request, who: Principal = Depends(writer),
                          idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state
    errors = req.problems(state.themes)
    if errors:
        raise record.invalid(errors)
    if not who.may_write_panel(req.panel):
        raise _outside_panel(who)

    def work(session):
        rec_id, commitment_id = record.record_recommendation(session, req, state.clock.now(),
                                                             state.policies.for_panel(req.panel))
        return 201, RecommendationCreated(
            recommendation_id=rec_id, commitment_id=commitment_id,
            status_url=f"{state.settings.public_url}/panels/{req.panel}",
        ).model_dump()

    status, body = run_once(state.engine, idempotency_key, "rec:" + req.model_dump_json(), work,
                            caller=who.token_id, now=state.clock.now())
    state.relay.wake()
    RECORDED.labels(req.decision).inc()
    log.info("recommendation.recorded", recommendation_id=body["recommendation_id"],
             commitment_id=body.get("commitment_id"), decision=req.decision, panel=req.panel)
    return JSONResponse(body, status_code=status)


@router.post("/recommendations/{recommendation_id}/decision", status_code=201,
             response_model=RecommendationCreated, responses={**ERRORS, 404: PROBLEM},
             summary="Agree or decline a pending recommendation")
def decide(recommendation_id: str, req: DecisionIn, request: Request, who: Principal = Depends(writer),
           idempotency_key: str | None = IDEMPOTENCY_KEY) -> JSONResponse:
    state = request.app.state

    def work(session):
        rec_id, commitment_id, panel = record.decide_pending(session, recommendation_id, req, state.clock.now(),
                                                             state.policies)
        if not who.may_write_panel(panel):
            raise _outside_panel(who)
        return 201, RecommendationCreated(recommendation_id=rec_id, commitment_id=commitment_id,
                                          status_url=f"{state.settings.public_url}/panels/{panel}").model_dump()

    status, body = run_once(state.engine, idempotency_key,
                            f"decision:{recommendation_id}:" + req.model_dump_json(), work,
                            caller=who.token_id, now=state.clock.now())
    state.relay.wake()
    return JSONResponse(body, status_code=status)


@router.post(
    CSV_IMPORT.removeprefix(router.prefix), status_code=201, responses={**ERRORS, 415: PROBLEM},
    summary="Import a session's recommendations from CSV (all or nothing)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {
        "schema": {"type": "string"},
        "example": csvimport.template() + "wf-panel,2026-01-14,Explain every stop,,stop-and-search;respect,"
                   "pending,,56,,,,,,,,,,,\n"}}}},
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
    try:
        rows = csvimport.parse(text, state.themes)
    except csvimport.CsvRejected as exc:
        rows_bad = sorted({e["row"] for e in exc.errors})
        raise CSV_NOT_IMPORTED(
            f"Nothing was imported: fix rows {', '.join(map(str, rows_bad))} and send the file again.",
            errors=exc.errors) from None
    outside = sorted({req.panel for _, req in rows if not who.may_write_panel(req.panel)})
    if outside:
        raise _outside_panel(who)

    def work(session):
        results = []
        now = state.clock.now()
        for number, req in rows:
            rec_id, commitment_id = record.record_recommendation(session, req, now,
                                                                 state.policies.for_panel(req.panel))
            results.append({"row": number, "recommendation_id": rec_id, "commitment_id": commitment_id})
        return 201, {"imported": len(results), "results": results}

    fingerprint = "csv:" + hashlib.sha256(raw).hexdigest()
    status, body = await run_in_threadpool(lambda: run_once(state.engine, idempotency_key, fingerprint, work,
                                                            caller=who.token_id, now=state.clock.now()))
    state.relay.wake()
    return JSONResponse(body, status_code=status)


def _outside_panel(who: Principal) -> Problem:
    return FORBIDDEN(f"This facilitator token is limited to panel '{who.panel}'.")
