"""Per-client rate limits on the public pages and on the panel's verdicts, replies and pulse answers.

The counting is the `limits` library's moving window, in this process's memory: a
replica limits what reaches it, so N replicas let through up to N times the limit.
A visitor over the limit gets a 429 problem with Retry-After, never a slower page
for everyone else."""

from __future__ import annotations

import re
import time

from fastapi import FastAPI, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.common.problems import RATE_LIMITED, answer

PAGES = re.compile(r"^/(panels/[^/]+(/feed\.xml|/deadlines\.ics|/session)?|register(\.csv)?)$")
# Verdicts and reopenings: the panel's access code guards both, so both are limited alike.
VERDICTS = re.compile(r"^/(api/v1/commitments/[^/]+/(verdict|reopen)|panels/[^/]+/commitments/[^/]+/(verdict|reopen))$")
# The panel's replies to decisions, by API or form: limited like verdicts (the same setting).
REPLIES = re.compile(r"^/(api/v1/recommendations/[^/]+/reply|panels/[^/]+/recommendations/[^/]+/reply)$")
# The trust pulse, by API or form: limited like verdicts (the same setting), counted on its own.
PULSES = re.compile(r"^/(api/v1/panels/[^/]+/pulse|panels/[^/]+/pulse)$")


def install(app: FastAPI, pages: str, verdicts: str) -> None:
    """`pages` and `verdicts` are limits such as "120/minute" (the settings' text)."""
    window = MovingWindowRateLimiter(MemoryStorage())
    rules = [("GET", PAGES, parse(pages)), ("POST", VERDICTS, parse(verdicts)), ("POST", PULSES, parse(verdicts)),
             ("POST", REPLIES, parse(verdicts))]

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):
        for method, paths, limit in rules:
            if request.method == method and paths.match(request.url.path):
                client = request.client.host if request.client else "unknown"
                if not window.hit(limit, method, paths.pattern, client):
                    reset = window.get_window_stats(limit, method, paths.pattern, client).reset_time
                    response = answer(request, RATE_LIMITED(
                        "You are asking too often. Wait a minute, then try again."))
                    response.headers["Retry-After"] = str(max(1, int(reset - time.time())))
                    return response
        return await call_next(request)
