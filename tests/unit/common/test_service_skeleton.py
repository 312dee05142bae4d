"""The service skeleton: parts stop in reverse order, a stop that hangs is cut off at the
timeout, and the deadline armed by a stop signal ends the process whatever still runs."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import AsyncExitStack
from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common import health
from services.common.service import FORCED_EXIT, Deadline, in_thread, lifespan, stop_within
from services.common.settings import CommonSettings


def test_parts_stop_in_reverse_order_of_starting():
    stopped = []

    async def start(app, parts: AsyncExitStack) -> None:
        for name in ("engine", "relay", "consumer"):
            parts.callback(stopped.append, name)
        app.state.started = True

    app = FastAPI(lifespan=lifespan(start, SimpleNamespace(followthrough_shutdown_timeout=2.0)))
    with TestClient(app):
        assert app.state.started and stopped == []
    assert stopped == ["consumer", "relay", "engine"]


def test_a_stop_that_hangs_is_cut_off_at_the_timeout():
    release = threading.Event()

    async def run() -> tuple[bool, float]:
        parts = AsyncExitStack()
        parts.push_async_callback(in_thread(lambda: release.wait(30)))  # a join on a vanished broker
        t0 = time.monotonic()
        finished = await stop_within(parts, 0.3)
        return finished, time.monotonic() - t0

    finished, took = asyncio.run(_and_release(run(), release))
    assert not finished and took < 1.0


async def _and_release(coro, release: threading.Event):
    try:
        return await coro
    finally:
        release.set()  # let the test's thread end


def test_stops_that_finish_in_time_report_so():
    async def run() -> bool:
        parts = AsyncExitStack()
        parts.push_async_callback(asyncio.sleep, 0.01)
        return await stop_within(parts, 1.0)

    assert asyncio.run(run())


def test_the_deadline_exits_once_its_time_is_up_and_only_when_armed():
    exits = []
    deadline = Deadline(0.1, exit=exits.append)
    time.sleep(0.2)
    assert exits == []  # not armed: no stop signal yet
    deadline.arm()
    deadline.arm()  # a second signal does not restart the clock
    time.sleep(0.4)
    assert exits == [FORCED_EXIT]


def test_install_edges_uses_the_addresses_it_is_given():
    settings = CommonSettings(kafka_bootstrap_servers="127.0.0.1:1")
    app = FastAPI()
    health.install_edges(app, settings, public_url="https://intake.example.org", problem_base="https://intake.example.org")

    @app.get("/boom")
    def boom() -> None:
        from services.common.problems import NOT_FOUND
        raise NOT_FOUND("nothing here")

    answer = TestClient(app).get("/boom")
    assert answer.status_code == 404
    assert answer.json()["type"] == "https://intake.example.org/problems/not-found"
    assert TestClient(app).get("/healthz").status_code == 200
