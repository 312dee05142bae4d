"""The subscription API (docs/contract.md §8.3), admin token only: thin routes over
`usecases/subscriptions.py`. A key is in an answer twice at most: when it is made and when it is
rotated; it is never listed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from services.common.auth import require_roles
from services.common.problems import INVALID_REQUEST, NOT_FOUND, field_error
from services.webhooks.usecases.subscriptions import BadField, Subscriptions, attempt_view, shown, view
from services.webhooks.web.bodies import ReplayIn, SubscriptionIn

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"])
PROBLEM = {"content": {"application/problem+json": {}}}
ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM}


def _engine(request: Request):
    return request.app.state.engine


admin = require_roles(_engine, "admin")


def _uc(request: Request) -> Subscriptions:
    return request.app.state.subscriptions


def _bad(exc: BadField):
    return INVALID_REQUEST.fields([field_error(exc.field, exc.message, exc.fix)])


def _missing(sub_id: str):
    return NOT_FOUND(f"There is no subscription {sub_id}; list them with GET /api/v1/subscriptions.")


@router.post("", status_code=201, responses=ERRORS, summary="Subscribe a receiver; its key is shown this once")
def create(body: SubscriptionIn, request: Request, _=Depends(admin)) -> JSONResponse:
    try:
        made = _uc(request).create(body.url, body.types, body.signature, body.owner_email)
    except BadField as exc:
        raise _bad(exc) from None
    return JSONResponse(shown(made), status_code=201, headers={"Cache-Control": "no-store"})


@router.get("", responses=ERRORS, summary="Every subscription and its state, never a key")
def list_all(request: Request, _=Depends(admin)) -> dict:
    return {"subscriptions": [view(s) for s in _uc(request).list()]}


@router.get("/{sub_id}", responses=ERRORS, summary="One subscription and its state")
def read(sub_id: str, request: Request, _=Depends(admin)) -> dict:
    sub = _uc(request).get(sub_id)
    if sub is None:
        raise _missing(sub_id)
    return view(sub)


@router.delete("/{sub_id}", status_code=204, responses=ERRORS, summary="Send nothing more to it")
def delete(sub_id: str, request: Request, _=Depends(admin)) -> Response:
    if not _uc(request).delete(sub_id):
        raise _missing(sub_id)
    return Response(status_code=204)


@router.post("/{sub_id}/rotate", responses=ERRORS,
             summary="A new key, shown this once; the old one signs beside it for the overlap")
def rotate(sub_id: str, request: Request, _=Depends(admin)) -> JSONResponse:
    made = _uc(request).rotate(sub_id)
    if made is None:
        raise _missing(sub_id)
    return JSONResponse(shown(made), headers={"Cache-Control": "no-store"})


@router.get("/{sub_id}/attempts", responses=ERRORS, summary="Its attempts, newest first")
def attempts(sub_id: str, request: Request, _=Depends(admin),
             limit: int = Query(100, ge=1, le=1000, description="at most this many"),
             before: int | None = Query(None, ge=1, description="only attempts older than this id (paging)")) -> dict:
    found = _uc(request).attempts(sub_id, limit=limit, before_id=before)
    if found is None:
        raise _missing(sub_id)
    return {"attempts": [attempt_view(a) for a in found]}


@router.post("/{sub_id}/replay", responses=ERRORS,
             summary="Send again every stored event of a wanted type whose time is in [from, to)")
def replay(sub_id: str, body: ReplayIn, request: Request, _=Depends(admin)) -> dict:
    try:
        count = _uc(request).replay(sub_id, body.start, body.end)
    except BadField as exc:
        raise _bad(exc) from None
    if count is None:
        raise _missing(sub_id)
    return {"id": sub_id, "from": body.start.isoformat(), "to": body.end.isoformat(), "replayed": count}
