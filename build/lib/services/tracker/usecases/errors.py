"""Why a use case refused. Use cases raise these (and the domain's TransitionError);
the web edge (`web/errors.py`) turns each kind into its HTTP answer or page, in one place,
so a use case can be called from a test, a command or a consumer without HTTP."""

from __future__ import annotations


class UseCaseError(Exception):
    """`detail` says what happened and what to do; `field` names the input to fix, if one."""

    def __init__(self, detail: str, *, field: str | None = None, fix: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.field, self.fix, self.retry_after = detail, field, fix, retry_after


class NotFound(UseCaseError):
    """There is no such commitment (or panel, or request)."""


class Incomplete(UseCaseError):
    """Something the change needs is missing (evidence, a summary)."""


class WrongCode(UseCaseError):
    """The panel's access code does not match."""


class TooManyAttempts(UseCaseError):
    """This client has tried too many wrong codes lately."""
