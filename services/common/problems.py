"""RFC 9457 problem details for every error an API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise to answer with a problem; `errors` names fields and fixes."""

    def __init__(self, status: int, title: str, detail: str, *, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or []
        self.headers = headers


def field_problem(field: str, message: str, fix: str, status: int = 422) -> Problem:
    return Problem(status, "Invalid request", f"{field}: {message}. {fix}",
                   errors=[{"field": field, "message": message, "fix": fix}])


def problem_response(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_FIXES = {
    "missing": "Add this field.",
    "date_from_datetime_parsing": "Use a date like 2026-03-31.",
    "date_parsing": "Use a date like 2026-03-31.",
    "date_from_datetime_inexact": "Use a date like 2026-03-31.",
    "value_error": "Correct the value as the message says.",
    "literal_error": "Use one of the allowed values.",
    "string_too_long": "Shorten the text.",
    "string_too_short": "Fill in this field.",
    "extra_forbidden": "Remove this field; it is not part of the API.",
    "json_invalid": "Send valid JSON.",
    "model_attributes_type": "Send a JSON object.",
}


def describe(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {field, message, fix}, the shape every 4xx uses."""
    return [
        {"field": _field_name(tuple(e["loc"])), "message": e["msg"].removeprefix("Value error, "),
         "fix": _FIXES.get(e["type"], "Correct this value.")}
        for e in errors
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        resp = problem_response(exc.status, exc.title, exc.detail, request.url.path,
                                **({"errors": exc.errors} if exc.errors else {}))
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = describe(exc.errors())
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "Invalid request", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), str(exc.detail), request.url.path)
