"""The sign-in email sender's loop, a task of intake's lifespan: a pass as soon as a link is
made (`wake`, from the request's thread), else every idle wait, so a retry comes when it is
due. It never ends on an error: the database being away is waited out."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from services.intake.usecases.signinmail import SigninMail

log = structlog.get_logger()


class SigninMailLoop:
    def __init__(self, sender: SigninMail, *, idle_wait: float = 0.5) -> None:
        self.sender, self.idle_wait = sender, idle_wait
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def wake(self) -> None:
        """Safe from any thread (the sign-in route runs in a worker thread)."""
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: intake is stopping
                self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        while True:
            try:
                busy = await self.sender.once()
            except Exception:
                log.exception("signin.email_loop_failed")  # database away: wait, then try again
                busy = False
            if not busy:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_wait)
                except TimeoutError:
                    pass
                self._wake.clear()
