"""Rendering intake's pages: every page carries a fresh CSRF token for its forms; refusals are
pages in plain words, not JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def date_value(text: str) -> str:
    """What a date input may show again: a valid date (HTML requires one), else nothing; the
    field's error says what was wrong with the text sent."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        return ""


templates.env.filters["date_value"] = date_value


def page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
         **context) -> Response:
    state = request.app.state
    csrf, cookie = state.csrf.issue(request)
    response = templates.TemplateResponse(request, template, {"csrf": csrf, **context}, status_code=status_code,
                                          headers=headers)
    return state.csrf.remember(request, response, cookie)


def refusal(request: Request, status_code: int, heading: str, text: str, headers: dict | None = None,
            signin: bool = False) -> Response:
    return page(request, "message.html", status_code, headers, heading=heading, text=text, signin=signin)


class SigninLimit:
    """Sign-in requests per client address, and links per email address, in this process's memory
    (the `limits` library's moving window, as the tracker's page limits): N replicas let through
    up to N times the limit."""

    def __init__(self, limit: str, secret_key: str) -> None:
        self._window, self._limit = MovingWindowRateLimiter(MemoryStorage()), parse(limit)
        self._key = secret_key.encode()

    def allow_client(self, request: Request) -> bool:
        host = request.client.host if request.client else "unknown"
        return self._window.hit(self._limit, "signin-client", self._hash(host))

    def allow_address(self, email: str) -> bool:
        return self._window.hit(self._limit, "signin-address", self._hash(email.strip().lower()))

    def _hash(self, value: str) -> str:  # no address is kept in memory as it was typed
        return hashlib.sha256(self._key + value.encode()).hexdigest()[:32]
