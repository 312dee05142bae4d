"""One way to start and stop a service, the same for intake, the tracker and the notifier.

A service gives `lifespan` the function that starts its parts (outbox relay, faust agents,
scheduler, background tasks); each part's stop goes on the exit stack as it starts. Told to
stop, the service stops them in reverse order, but never for longer than its shutdown timeout:
a broker or database that went away must not keep a stopping process alive (contract §6,
FOLLOWTHROUGH_SHUTDOWN_TIMEOUT). `serve` runs the app with uvicorn and holds the hard deadline:
once a stop signal arrives, the process exits within the timeout whatever still waits."""

from __future__ import annotations

import asyncio
import os
import threading
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Awaitable, Callable

import structlog

log = structlog.get_logger()

Start = Callable[[object, AsyncExitStack], Awaitable[None]]
FORCED_EXIT = 70  # EX_SOFTWARE: the stop overran its deadline; a supervisor may log why


def lifespan(start: Start, settings):
    """A FastAPI lifespan: `start(app, parts)` starts the service and pushes each stop onto
    `parts`; on the way out they run, bounded by half the shutdown timeout together (open
    requests have the other half, `serve`)."""
    timeout = settings.followthrough_shutdown_timeout / 2

    @asynccontextmanager
    async def run(app):
        parts = AsyncExitStack()
        try:
            await start(app, parts)
            yield
        finally:
            await stop_within(parts, timeout)
    return run


async def stop_within(parts: AsyncExitStack, timeout: float) -> bool:
    """Run the stops; True if they all finished in time. Late ones are cancelled and left."""
    closing = asyncio.ensure_future(parts.aclose())
    done, _ = await asyncio.wait({closing}, timeout=timeout)
    if not done:
        closing.cancel()  # not awaited: a stop blocked on a vanished broker may never return
        log.warning("service.stop_timed_out", timeout_s=timeout)
        return False
    if closing.exception() is not None:
        log.warning("service.stop_failed", error=repr(closing.exception()))
    return True


def in_thread(stop: Callable[[], object]) -> Callable[[], Awaitable[object]]:
    """A blocking stop (a thread's join, an engine's dispose) run off the event loop, so the
    timeout above can still fire while it waits."""
    return lambda: asyncio.to_thread(stop)


class Deadline:
    """Exits the process `seconds` after it is armed (by the first stop signal), whatever is
    still running: the lifespan's stops, a request, a consumer thread joined at exit."""

    def __init__(self, seconds: float, exit: Callable[[int], None] = os._exit) -> None:
        self.seconds, self._exit = seconds, exit
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        log.error("service.stop_overran", timeout_s=self.seconds)
        self._exit(FORCED_EXIT)


def serve(app, service: str, host: str | None, port: int, settings) -> None:
    """Run a service's app with uvicorn; its logs, uvicorn's access log included, in the one
    format of `services.common.logs`. The first line names the settings, secrets masked. A weak
    signing key stops it here when it would listen on an interface others reach."""
    import uvicorn

    from services.common import logs
    from services.common.settings import require_strong_secret_key

    require_strong_secret_key(settings, listen_host=host or "127.0.0.1")
    logs.configure(service, fmt=settings.followthrough_log_format, supervised=settings.followthrough_supervised)
    log.info("service.starting", port=port, settings=logs.shown(settings))
    timeout = settings.followthrough_shutdown_timeout
    deadline = Deadline(timeout)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            deadline.arm()
            super().handle_exit(sig, frame)

    # proxy_headers off: uvicorn would trust X-Forwarded-For from 127.0.0.1 on its own;
    # FOLLOWTHROUGH_TRUSTED_PROXIES (services/common/clientaddress.py) is the one rule.
    # Open requests get half the timeout to finish; the lifespan's stops have the rest.
    config = uvicorn.Config(app, host=host or "127.0.0.1", port=port, log_config=None, access_log=True,
                            proxy_headers=False, timeout_graceful_shutdown=max(1, int(timeout / 2)))
    Server(config).run()
