"""A signed-in person for the tests of `/me`, without an identity provider: a tiny middleware puts
the `Person` named by the `X-Test-Person` header on `request.state.person`, the seam sign-in fills
in the running service (services/common/identity.py). And the tracker's staff pages as an app in
this process, over a bootstrapped tracker, so a test can serve them (TestClient or uvicorn)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI, Request

from schemas import parse_event
from services.common import problems
from services.common.identity import Person
from services.tracker.web import approvals, me, panel, respond
from services.tracker.web import errors as web_errors
from tests.support.services import free_port

PERSON_HEADER = "X-Test-Person"


def as_person(app: FastAPI) -> FastAPI:
    @app.middleware("http")
    async def _person(request: Request, call_next):
        email = request.headers.get(PERSON_HEADER)
        if email:
            request.state.person = Person(email=email.strip().lower(), session_id="test-session")
        return await call_next(request)
    return app


def staff_app(tracker) -> FastAPI:
    """`/me` and the pages around it, reading and writing through `tracker` (bootstrap's parts)."""
    app = FastAPI()
    problems.install(app)
    web_errors.install(app)
    for router in (me.router, respond.router, approvals.router, panel.router):
        app.include_router(router)
    s = app.state
    s.tracker, s.settings, s.engine, s.clock = tracker, tracker.settings, tracker.engine, tracker.clock
    s.links, s.approvals, s.csrf, s.recorder = tracker.links, tracker.approvals, tracker.csrf, tracker.recorder
    s.page_cache, s.after_write = tracker.page_cache, lambda: tracker.page_cache.clear()
    s.access, s.storage = tracker.access, tracker.storage
    return as_person(app)


def feed(tracker, *events: dict) -> None:
    """Hand events to the tracker's own handlers, as its consumer would."""
    handlers = tracker.handlers()
    for event in events:
        handlers.handle(*parse_event(json.dumps(event).encode()))


class Served:
    """An app served by uvicorn on loopback in a thread (for a real browser)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     access_log=False, lifespan="off"))
        threading.Thread(target=self._server.run, daemon=True).start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/me", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError("the staff app did not start")

    def stop(self) -> None:
        self._server.should_exit = True
