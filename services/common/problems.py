"""RFC 9457 problem details for every error an API returns.

Each kind of problem is registered once here (`kind(...)`): its `type` URI is
`<the service's public URL>/problems/<slug>`, its `title` never changes, and the service serves
`GET /problems/<slug>` as a short page saying what happened and what to do. A client branches
on `type`. Raise a kind with the details of this case:

    raise NOT_FOUND(f"There is no commitment {cid}; check the id.")
    raise INVALID_REQUEST.fields([field_error("commitment.due", "is in the past", "Use a later date.")])

A new kind is one `kind(...)` call below (slug, status, title, what happened, what to do);
the tests walk the registry, so its page and its answers are checked at once.
`about:blank` is only for answers whose title is the HTTP status phrase (an unknown route,
a wrong method)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common import headers
from services.common.problem_docs import PROBLEM_JSON, page, problem_openapi

BLANK = "about:blank"


@dataclass(frozen=True)
class Kind:
    """One kind of problem: what a client branches on (`slug`, in the `type` URI)."""

    slug: str
    status: int
    title: str
    what: str  # what happened, for the page at the type URI
    todo: str  # what to do about it

    def __call__(self, detail: str, *, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None) -> Problem:
        return Problem(self, detail, errors=errors, headers=headers)

    def fields(self, errors: list[dict], *, status: int | None = None) -> Problem:
        """This kind naming each bad field (`field_error`); the detail lists them."""
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return Problem(self, detail, errors=errors, status=status)


KINDS: dict[str, Kind] = {}


def kind(slug: str, status: int, title: str, what: str, todo: str) -> Kind:
    """Register a kind of problem; a slug is registered once."""
    if slug in KINDS:
        raise ValueError(f"problem kind {slug!r} is registered twice")
    KINDS[slug] = Kind(slug, status, title, what, todo)
    return KINDS[slug]


INVALID_REQUEST = kind(
    "invalid-request", 422, "Invalid request", "Some of what you sent is missing or not valid.",
    "Each entry in `errors` names one field (`pointer`, a JSON Pointer into your request) and how to fix it. "
    "Correct those fields and send the request again.")
INCOMPLETE = kind(
    "incomplete", 422, "Something is missing", "The change needs something you did not send (evidence, a summary).",
    "Add what the detail names and send it again.")
UNAUTHENTICATED = kind(
    "unauthenticated", 401, "Authentication required", "The request carried no API token.",
    "Send `Authorization: Bearer <token>`. An admin issues tokens with `followthrough token issue`.")
INVALID_TOKEN = kind(
    "invalid-token", 401, "Invalid token", "The API token is not one this service issued.",
    "Check that you copied the whole token, or ask an admin for a new one.")
TOKEN_EXPIRED = kind(
    "token-expired", 401, "Token expired", "The API token was valid once but has expired.",
    "Ask an admin for a new token.")
TOKEN_REVOKED = kind(
    "token-revoked", 401, "Token revoked", "An admin revoked this API token.",
    "Ask an admin for a new token if you still need access.")
FORBIDDEN = kind(
    "forbidden", 403, "Not allowed", "Your token is valid, but it does not allow this.",
    "The detail says what the token is limited to. Use a token with the right role, or ask an admin.")
WRONG_ACCESS_CODE = kind(
    "wrong-access-code", 403, "Wrong access code", "The panel's access code did not match.",
    "Check the code your facilitator gave the panel and try again.")
TOO_MANY_ATTEMPTS = kind(
    "too-many-attempts", 429, "Too many wrong access codes",
    "Too many wrong access codes came from your address lately.",
    "Wait for the time in the Retry-After header, then try again with the right code.")
RATE_LIMITED = kind(
    "rate-limited", 429, "Too many requests", "You asked more often than this page allows.",
    "Wait for the time in the Retry-After header (about a minute), then try again.")
NOT_FOUND = kind(
    "not-found", 404, "Not found", "There is no such commitment, recommendation or panel.",
    "Check the id or the panel's slug in the address.")
NOT_POSSIBLE_NOW = kind(
    "not-possible-now", 409, "Not possible now", "The change does not fit the commitment's state now.",
    "Read the commitment again (GET it) and choose a change its status allows.")
ALREADY_DECIDED = kind(
    "already-decided", 409, "Already decided", "This recommendation was already accepted or declined.",
    "Nothing to do: a decision is recorded once. Read the recommendation to see it.")
ALREADY_ANSWERED = kind(
    "already-answered", 409, "Already answered",
    "The panel has already answered this decision, or this browser already answered this month's trust pulse.",
    "Nothing to do: a panel answers each decision once (read the recommendation to see the answer), and a "
    "browser answers the trust pulse once a month.")
REPLY_DOES_NOT_FIT = kind(
    "reply-does-not-fit", 422, "This answer does not fit the decision",
    "The panel's answer cannot follow this decision (insisting on a promise police already made, say).",
    "`errors` names the field: choose an answer the decision allows (accept, insist after a no or a dropped "
    "promise, counter).")
ALREADY_EXISTS = kind(
    "already-exists", 409, "Already exists", "Something with this name already exists.",
    "Choose another name (the field in `errors`), or use the one that exists.")
IDEMPOTENCY_KEY_REUSED = kind(
    "idempotency-key-reused", 409, "Idempotency-Key reused",
    "This Idempotency-Key was used before with a different request body.",
    "Use a new key (a fresh UUID) for each new request; repeat a key only to retry the very same request.")
IDEMPOTENCY_KEY_TOO_LONG = kind(
    "idempotency-key-too-long", 422, "Idempotency-Key too long", "The Idempotency-Key header is too long.",
    "Use a key of at most 200 characters, such as a UUID (36).")
NOT_UTF8 = kind(
    "not-utf8", 415, "Not UTF-8 text", "The upload is not UTF-8 text.",
    "Save the CSV as UTF-8 and send it as text/csv.")
BODY_TOO_LARGE = kind(
    "body-too-large", 413, "Request too large", "The request body is larger than this address accepts.",
    "Send less: the detail names the limit (about 1 MB; 5 MB for a CSV import). Split a large CSV into "
    "several files.")
SERVER_ERROR = kind(
    "server-error", 500, "Something went wrong on our side", "The service failed while answering the request.",
    "Try again in a minute. If it keeps failing, tell the service's administrator the time and the address "
    "you used (their logs say what went wrong).")
CSV_NOT_IMPORTED = kind(
    "csv-not-imported", 422, "The CSV was not imported", "Some rows of the CSV are not valid, so none was imported.",
    "`errors` names each row and column to fix; correct them and send the whole file again.")


class Problem(Exception):
    """Raise to answer with a problem; `errors` names fields and fixes (see `field_error`).

    `Problem(KIND, detail)` (or `KIND(detail)`) is the form to use. The old form
    `Problem(status, title, detail)` still works: it takes the registered kind with that status
    and title, or else `about:blank` with the status phrase as its title."""

    def __init__(self, kind: Kind | int, *args: str, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None) -> None:
        if isinstance(kind, int):
            status_, title, detail = kind, *args
            kind = next((k for k in KINDS.values() if (k.status, k.title) == (status_, title)), None) \
                or blank(status_)
        else:
            (detail,) = args
        super().__init__(detail)
        self.kind = kind
        self.status = status or kind.status
        self.title, self.detail = kind.title, detail
        self.errors = [_with_pointer(e) for e in errors or []]
        self.headers = headers


def blank(status: int) -> Kind:
    """The kind with no meaning beyond its HTTP status: `about:blank`, titled by the status phrase."""
    phrase = HTTPStatus(status).phrase
    return Kind(BLANK, status, phrase, phrase, "")


def pointer(field: str) -> str:
    """A dotted field name (`commitment.due`, `recommendations.0.title`) as a JSON Pointer."""
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in field.split(".")) if field else ""


def _with_pointer(error: dict) -> dict:
    """A field of the JSON body gets its pointer; a header or a CSV row and column are named as they are."""
    if "field" in error and not {"pointer", "header", "row"} & error.keys():
        return {"pointer": pointer(error["field"]), **error}
    return error


def field_error(field: str, message: str, fix: str) -> dict:
    """One entry of a problem's `errors`: the field (dotted), its JSON Pointer, what is wrong, the fix."""
    return {"pointer": pointer(field), "field": field, "message": message, "fix": fix}


def field_problem(field: str, message: str, fix: str, status: int = 422) -> Problem:
    kind_ = ALREADY_EXISTS if status == 409 else INVALID_REQUEST
    return Problem(kind_, f"{field}: {message}. {fix}", errors=[field_error(field, message, fix)])


def type_uri(request: Request, kind: Kind) -> str:
    if kind.slug == BLANK:
        return BLANK
    base = getattr(request.app.state, "problem_base", None) or str(request.base_url).rstrip("/")
    return f"{base}/problems/{kind.slug}"


def answer(request: Request, problem: Problem) -> JSONResponse:
    """The problem as an `application/problem+json` response to `request`."""
    body: dict[str, Any] = {"type": type_uri(request, problem.kind), "title": problem.title,
                            "status": problem.status, "detail": problem.detail, "instance": request.url.path}
    if problem.errors:
        body["errors"] = problem.errors
    response = JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON)
    if problem.headers:
        response.headers.update(problem.headers)
    return response


def problem_response(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    """Kept for callers without a request at hand: `about:blank` unless a kind matches. Prefer `answer`."""
    body = {"type": BLANK, "title": title, "status": status, "detail": detail, "instance": instance, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_FIXES = {
    "missing": "Add this field.",
    "date_from_datetime_parsing": "Use a date like 2026-03-31.",
    "date_parsing": "Use a date like 2026-03-31.",
    "date_from_datetime_inexact": "Use a date like 2026-03-31.",
    "date_out_of_range": "Use a date within 10 years of today.",
    "value_error": "Correct the value as the message says.",
    "literal_error": "Use one of the allowed values.",
    "string_too_long": "Shorten the text.",
    "string_too_short": "Fill in this field.",
    "extra_forbidden": "Remove this field; it is not part of the API.",
    "json_invalid": "Send valid JSON.",
    "model_attributes_type": "Send a JSON object.",
}


def describe(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {pointer, field, message, fix}, the shape every 4xx uses."""
    return [field_error(_field_name(tuple(e["loc"])), e["msg"].removeprefix("Value error, "),
                        _FIXES.get(e["type"], "Correct this value."))
            for e in errors]


def install(app: FastAPI, base_url: str | None = None) -> None:
    """Problem answers for `Problem`, validation errors and HTTP errors; the problem pages;
    and every error response in the OpenAPI document as `application/problem+json`.
    `base_url` is the service's public URL (type URIs start with it)."""
    app.state.problem_base = base_url.rstrip("/") if base_url else None

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return answer(request, INVALID_REQUEST.fields(describe(exc.errors())))

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        # Starlette answers this from its ServerErrorMiddleware, outside every user middleware
        # (and then re-raises, so the traceback is logged): the security headers are set here.
        response = answer(request, SERVER_ERROR("The service could not answer this request; nothing was "
                                                "changed by the failure itself. Try again in a minute."))
        headers.secure(response)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = answer(request, Problem(blank(exc.status_code), str(exc.detail)))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.get("/problems/{slug}", response_class=HTMLResponse, tags=["problems"],
             summary="What a problem type means and what to do (the page at each `type` URI)")
    def problem_page(slug: str) -> HTMLResponse:
        if slug not in KINDS:
            raise Problem(NOT_FOUND, f"There is no problem type {slug}.")
        return HTMLResponse(page(KINDS[slug]))

    app.openapi = problem_openapi(app, app.openapi)
