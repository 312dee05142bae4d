"""The one place where a refusal becomes an HTTP answer: RFC 9457 problems for the API,
and the same status and words on the HTML pages."""

from __future__ import annotations

from fastapi import FastAPI, Request

from services.common.problems import Problem, problem_response
from services.tracker.domain import TransitionError
from services.tracker.domain.reply import ReplyRefused
from services.tracker.usecases.errors import Incomplete, NotFound, TooManyAttempts, UseCaseError, WrongCode
from services.tracker.usecases.replies import AlreadyReplied

ANSWERS: dict[type, tuple[int, str]] = {
    NotFound: (404, "Not found"),
    ReplyRefused: (422, "This answer does not fit the decision"),  # before TransitionError, its base
    AlreadyReplied: (409, "Already answered"),
    TransitionError: (409, "Not possible now"),
    Incomplete: (422, "Something is missing"),
    WrongCode: (403, "Wrong access code"),
    TooManyAttempts: (429, "Too many wrong access codes"),
}
Refusal = (Problem, UseCaseError, TransitionError)


def as_problem(exc: Exception) -> Problem:
    if isinstance(exc, Problem):
        return exc
    status, title = next(answer for kind, answer in ANSWERS.items() if isinstance(exc, kind))
    detail = getattr(exc, "detail", str(exc))
    field = getattr(exc, "field", None)
    errors = [{"field": field, "message": detail, "fix": getattr(exc, "fix", None) or detail}] if field else None
    retry = getattr(exc, "retry_after", None)
    return Problem(status, title, detail, errors=errors, headers={"Retry-After": str(retry)} if retry else None)


def install(app: FastAPI) -> None:
    async def _refused(request: Request, exc: Exception):
        problem = as_problem(exc)
        response = problem_response(problem.status, problem.title, problem.detail, request.url.path,
                                    **({"errors": problem.errors} if problem.errors else {}))
        if problem.headers:
            response.headers.update(problem.headers)
        return response

    app.add_exception_handler(UseCaseError, _refused)
    app.add_exception_handler(TransitionError, _refused)
