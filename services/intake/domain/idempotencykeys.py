"""The rules of an `Idempotency-Key`, without I/O: how long a key may be, how long it is
remembered, and the two ways a request's key is refused. The storage keeps the keys
(`adapters/idempotency.py`); the web edge answers the refusals (`web/errors.py`)."""

from __future__ import annotations

import datetime as dt

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
TTL = dt.timedelta(hours=24)


class KeyRefused(Exception):
    """A key that cannot be used: `detail` says why and what to do; `errors` name the header."""

    field = fix = None

    def __init__(self, detail: str, errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.detail, self.errors = detail, errors


class KeyTooLong(KeyRefused):
    """The key is longer than `MAX_KEY_LENGTH`: refused before anything is stored."""


class KeyReused(KeyRefused):
    """The caller used this key before with a different body."""


def check_key(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        fix = f"Use a key of at most {MAX_KEY_LENGTH} characters, such as a UUID (36)."
        raise KeyTooLong(f"The {HEADER} header is {len(key)} characters long. {fix}",
                         [{"header": HEADER, "field": HEADER, "message": f"is {len(key)} characters long", "fix": fix}])


def reused() -> KeyReused:
    return KeyReused("This Idempotency-Key was used with a different body; use a new key for a new request.")
