"""The one place where an intake use case's refusal becomes an HTTP answer: an RFC 9457
problem for the API; the record page shows the same status and words."""

from __future__ import annotations

from fastapi import FastAPI, Request

from services.common import problems
from services.common.problems import Problem, field_problem
from services.intake.domain.idempotencykeys import KeyRefused, KeyReused, KeyTooLong
from services.intake.usecases.errors import (
    AlreadyDecided,
    AlreadyExists,
    CsvRejected,
    Invalid,
    LinkRefused,
    NotFound,
    OutsidePanel,
    UseCaseError,
)

ANSWERS: dict[type, problems.Kind] = {
    Invalid: problems.INVALID_REQUEST,
    AlreadyExists: problems.ALREADY_EXISTS,
    NotFound: problems.NOT_FOUND,
    AlreadyDecided: problems.ALREADY_DECIDED,
    OutsidePanel: problems.FORBIDDEN,
    LinkRefused: problems.FORBIDDEN,
    CsvRejected: problems.CSV_NOT_IMPORTED,
    KeyTooLong: problems.IDEMPOTENCY_KEY_TOO_LONG,
    KeyReused: problems.IDEMPOTENCY_KEY_REUSED,
}


def as_problem(exc: Exception) -> Problem:
    if isinstance(exc, Problem):
        return exc
    kind = next(answer for cls, answer in ANSWERS.items() if isinstance(exc, cls))
    if exc.field:  # one field to fix: its name, what is wrong and the fix, in the detail too
        return field_problem(exc.field, exc.detail, exc.fix or exc.detail, status=kind.status)
    if exc.errors and isinstance(exc, Invalid):
        return kind.fields(exc.errors)
    return kind(exc.detail, errors=exc.errors)


def install(app: FastAPI) -> None:
    async def _refused(request: Request, exc: Exception):
        return problems.answer(request, as_problem(exc))

    app.add_exception_handler(UseCaseError, _refused)
    app.add_exception_handler(KeyRefused, _refused)
