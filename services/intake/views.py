"""Rendering intake's pages: every page carries a fresh CSRF token for its forms; refusals are
pages in plain words, not JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from pathlib import Path

from fastapi import Request, Response
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.common.pagetemplates import page_templates

templates = page_templates(Path(__file__).parent / "templates", home=None,
                           footer_note="Never write a young person's name or contact details here.")


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
    """Sign-in requests in this process's memory (the `limits` library's moving window, as the
    tracker's page limits: N replicas let through up to N times each limit). Addresses and
    clients are kept only as keyed hashes.

    - per client: requests of any kind, so nobody tries address after address;
    - per address and client: links for one address from one client, so requests from
      elsewhere never use up a facilitator's own;
    - per address, from everywhere: a higher cap, so nobody fills an inbox from many clients."""

    def __init__(self, limit: str, address_limit: str, secret_key: str) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self._limit, self._cap = parse(limit), parse(address_limit)
        self._key = secret_key.encode()

    def client_wait(self, request: Request) -> int:
        """0 when this client may ask now (and the request is counted); else seconds to wait."""
        return self._wait(self._limit, "signin-client", self._client(request))

    def address_wait(self, email: str, request: Request) -> int:
        """0 when a link may go to `email` now (and it is counted); else seconds to wait."""
        address = self._hash(email.strip().lower())
        return (self._wait(self._limit, "signin-address-client", address, self._client(request))
                or self._wait(self._cap, "signin-address", address))

    def _wait(self, limit, *key: str) -> int:
        if self._window.hit(limit, *key):
            return 0
        reset = self._window.get_window_stats(limit, *key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _client(self, request: Request) -> str:
        return self._hash(request.client.host if request.client else "unknown")

    def _hash(self, value: str) -> str:  # no address is kept in memory as it was typed
        return hashlib.sha256(self._key + value.encode()).hexdigest()[:32]
