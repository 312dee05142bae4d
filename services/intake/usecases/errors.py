"""Why an intake use case refused. Use cases raise these; the web edge (`web/errors.py`) turns
each kind into its HTTP answer or page, in one place, so a use case can be called from a test,
a command or a consumer without HTTP."""

from __future__ import annotations


class UseCaseError(Exception):
    """`detail` says what happened and what to do; `field` names the input to fix, if one;
    `errors` lists several inputs to fix, each {field, message, fix}."""

    def __init__(self, detail: str, *, field: str | None = None, fix: str | None = None,
                 errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.detail, self.field, self.fix, self.errors = detail, field, fix, errors


class Invalid(UseCaseError):
    """The request breaks a rule (several fields may be named in `errors`)."""


class NotFound(UseCaseError):
    """There is no such recommendation."""


class AlreadyExists(UseCaseError):
    """A panel with this slug is already registered."""


class AlreadyDecided(UseCaseError):
    """The recommendation was decided already."""


class OutsidePanel(UseCaseError):
    """A facilitator's token is limited to another panel."""


class CsvRejected(UseCaseError):
    """Rows of a CSV break the rules: nothing is imported. `errors` carry their row numbers."""

    def __init__(self, errors: list[dict]) -> None:
        rows = sorted({e["row"] for e in errors})
        super().__init__(f"Nothing was imported: fix rows {', '.join(map(str, rows))} and send the file again.",
                         errors=errors)


class LinkRefused(UseCaseError):
    """A sign-in link that does not work, and why, in words for the person holding it."""
