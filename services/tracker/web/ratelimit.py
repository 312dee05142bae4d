"""Per-client rate limits on the public pages and on the panel's verdicts, replies and pulse answers.

The code-guarded POSTs (verdicts and reopenings, replies, pulse answers) are counted in the
database (`usecases/throttle.py`), so every replica shares one count: two trackers together let a
client through no more often than one. Page GETs are counted in this process's memory (the
`limits` library's moving window): a database write per page view would cost more than the
page itself, which is cached for 2 s, so N replicas let a client read up to N times the page
limit. A visitor over a limit gets a 429 problem with Retry-After, never a slower page for
everyone else. The client is `request.client` as `services/common/clientaddress.py` sets it."""

from __future__ import annotations

import math
import re
import time

from fastapi import FastAPI, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from services.common.problems import RATE_LIMITED, answer
from services.tracker.usecases.throttle import Throttle
from services.tracker.web.forms import client_of

PAGES = re.compile(r"^/(panels/[^/]+(/feed\.xml|/deadlines\.ics|/session)?|register(\.csv)?|reports/[^/]+)$")
# Verdicts and reopenings: the panel's access code guards both, so both are limited alike.
VERDICTS = re.compile(r"^/(api/v1/commitments/[^/]+/(verdict|reopen)|panels/[^/]+/commitments/[^/]+/(verdict|reopen))$")
# The panel's replies to decisions, by API or form: limited like verdicts (the same setting).
REPLIES = re.compile(r"^/(api/v1/recommendations/[^/]+/reply|panels/[^/]+/recommendations/[^/]+/reply)$")
# The trust pulse, by API or form: limited like verdicts (the same setting), counted on its own.
PULSES = re.compile(r"^/(api/v1/panels/[^/]+/pulse|panels/[^/]+/pulse)$")


def install(app: FastAPI, pages: str, verdicts: str) -> None:
    """`pages` and `verdicts` are limits such as "120/minute" (the settings' text)."""
    window = MovingWindowRateLimiter(MemoryStorage())
    page_limit, post_limit = parse(pages), parse(verdicts)
    posts = [("verdicts", VERDICTS), ("pulses", PULSES), ("replies", REPLIES)]

    async def wait_for(request: Request) -> float | None:
        """None if the request may go on; else the seconds the client should wait."""
        path = request.url.path
        if request.method == "GET" and PAGES.match(path):
            client = request.client.host if request.client else "unknown"
            if window.hit(page_limit, "GET", PAGES.pattern, client):
                return None
            return window.get_window_stats(page_limit, "GET", PAGES.pattern, client).reset_time - time.time()
        rule = next((name for name, paths in posts if request.method == "POST" and paths.match(path)), None)
        if rule is None:
            return None
        throttle = Throttle(request.app.state.storage, request.app.state.clock)
        return await run_in_threadpool(throttle.hit, rule, client_of(request), post_limit.amount,
                                       post_limit.get_expiry())

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):
        wait = await wait_for(request)
        if wait is None:
            return await call_next(request)
        response = answer(request, RATE_LIMITED("You are asking too often. Wait a minute, then try again."))
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
