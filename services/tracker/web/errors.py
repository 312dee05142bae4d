"""The one place where a refusal becomes an HTTP answer: RFC 9457 problems for the API,
and the same status and words on the HTML pages."""

from __future__ import annotations

from fastapi import FastAPI, Request

from services.common import problems
from services.common.problems import Problem
from services.tracker.domain import TransitionError
from services.tracker.domain.reply import ReplyRefused
from services.tracker.usecases.errors import Incomplete, NotFound, TooManyAttempts, UseCaseError, WrongCode
from services.tracker.usecases.replies import AlreadyReplied

ANSWERS: dict[type, problems.Kind] = {
    NotFound: problems.NOT_FOUND,
    ReplyRefused: problems.REPLY_DOES_NOT_FIT,  # before TransitionError, its base
    AlreadyReplied: problems.ALREADY_ANSWERED,
    TransitionError: problems.NOT_POSSIBLE_NOW,
    Incomplete: problems.INCOMPLETE,
    WrongCode: problems.WRONG_ACCESS_CODE,
    TooManyAttempts: problems.TOO_MANY_ATTEMPTS,
}
Refusal = (Problem, UseCaseError, TransitionError)


def as_problem(exc: Exception) -> Problem:
    if isinstance(exc, Problem):
        return exc
    kind = next(answer for cls, answer in ANSWERS.items() if isinstance(exc, cls))
    detail = getattr(exc, "detail", str(exc))
    field = getattr(exc, "field", None)
    errors = [{"field": field, "message": detail, "fix": getattr(exc, "fix", None) or detail}] if field else None
    retry = getattr(exc, "retry_after", None)
    return kind(detail, errors=errors, headers={"Retry-After": str(retry)} if retry else None)


def install(app: FastAPI) -> None:
    async def _refused(request: Request, exc: Exception):
        return problems.answer(request, as_problem(exc))

    app.add_exception_handler(UseCaseError, _refused)
    app.add_exception_handler(TransitionError, _refused)
