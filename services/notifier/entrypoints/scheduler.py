"""The notifier's two loops: delivery (woken when a notice arrives, else every idle wait)
and the delivery auditor (every audit interval). Neither ends on an error: the database
being away is waited out."""

from __future__ import annotations

import asyncio
from typing import Callable

import structlog

from services.notifier.usecases.audit_deliveries import DeliveryAuditor
from services.notifier.usecases.deliver import Deliverer

log = structlog.get_logger()


class DeliveryLoop:
    def __init__(self, deliverer: Deliverer, *, idle_wait: float = 0.5,
                 after_busy: Callable[[], None] = lambda: None) -> None:
        self.deliverer, self.idle_wait, self.after_busy = deliverer, idle_wait, after_busy
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                busy = await self.deliverer.once()
            except Exception:
                log.exception("delivery.loop_failed")  # database away: wait, then try again
                busy = False
            if busy:
                self.after_busy()  # delivery events wait in the outbox
            else:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_wait)
                except TimeoutError:
                    pass
                self._wake.clear()


async def audit_every(auditor: DeliveryAuditor, interval: float) -> None:
    while True:
        try:
            await asyncio.to_thread(auditor.run)
        except Exception:
            log.exception("auditor.failed")  # database away: the gauge keeps its last value; try again
        await asyncio.sleep(interval)
