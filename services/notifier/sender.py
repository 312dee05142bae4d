"""The delivery loop: claim, render, send, record. Failures are rescheduled
with exponential backoff in the ledger, so one failing recipient never holds
up the others."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Callable

import structlog
from prometheus_client import Counter
from sqlalchemy import Engine

from services.common.clock import SYSTEM, Clock
from services.notifier import ledger
from services.notifier.mailer import Mailer
from services.notifier.render import digest_message_id, render, render_digest

log = structlog.get_logger()
SENT = Counter("followthrough_emails_sent_total", "Emails accepted by the SMTP server", ["kind"])
FAILED = Counter("followthrough_delivery_failures_total", "Failed delivery attempts", ["kind", "final"])
RESENT = Counter("followthrough_emails_resent_total", "Sends retried after a crash mid-send (same Message-ID)")


def backoff(attempts: int, base: float = 2.0, cap: float = 600.0) -> dt.timedelta:
    return dt.timedelta(seconds=min(cap, base * 2 ** min(attempts - 1, 30)))


class Sender:
    def __init__(self, engine: Engine, mailer: Mailer, sender: str, *, give_up_after: dt.timedelta,
                 lease: dt.timedelta, idle_wait: float = 0.5, after_busy: Callable[[], None] = lambda: None,
                 max_backoff: float = 600.0, clock: Clock = SYSTEM) -> None:
        self.clock = clock
        self.engine, self.mailer, self.sender, self.after_busy = engine, mailer, sender, after_busy
        self.max_backoff = max_backoff
        self.give_up_after, self.lease, self.idle_wait = give_up_after, lease, idle_wait
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                busy = await self.once()
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

    async def once(self) -> bool:
        now = self.clock.now()
        claims = await asyncio.to_thread(ledger.claim, self.engine, now, self.lease)
        digests = await asyncio.to_thread(ledger.claim_digests, self.engine, now)
        await asyncio.gather(*(self._deliver(c) for c in claims),
                             *(self._deliver_digest(r, cs) for r, cs in digests.items()))
        return bool(claims or digests)

    async def _deliver_digest(self, recipient: str, claims: list[ledger.Claim]) -> None:
        mid = digest_message_id([str(c.notice.id) for c in claims], recipient)
        result = await self.mailer.send(render_digest([c.notice for c in claims], recipient, self.sender, mid,
                                                        self.clock.now()))
        now = self.clock.now()
        for c in claims:
            if result.ok:
                await asyncio.to_thread(ledger.mark_sent, self.engine, c, now, mid)
            else:
                retry_at = None if self._too_old(c, now) else now + backoff(c.attempts, cap=self.max_backoff)
                await asyncio.to_thread(ledger.mark_failed, self.engine, c, now, result.error or "unknown",
                                        retry_at, "digest")
        if result.ok:
            SENT.labels("digest").inc()
            log.info("digest.sent", recipient_count=1, notices=len(claims))

    async def _deliver(self, c: ledger.Claim) -> None:
        if c.resend:
            RESENT.inc()
            log.warning("delivery.resend", notice_id=str(c.notice.id), attempts=c.attempts)
        result = await self.mailer.send(render(c.notice, c.recipient, self.sender, self.clock.now()))
        now = self.clock.now()
        if result.ok:
            await asyncio.to_thread(ledger.mark_sent, self.engine, c, now)
            SENT.labels(c.notice.kind).inc()
            log.info("notice.sent", notice_id=str(c.notice.id), commitment_id=_cid(c), kind=c.notice.kind,
                     attempts=c.attempts)
            return
        give_up = not result.recoverable or self._too_old(c, now)
        retry_at = None if give_up else now + backoff(c.attempts, cap=self.max_backoff)
        await asyncio.to_thread(ledger.mark_failed, self.engine, c, now, result.error or "unknown", retry_at)
        FAILED.labels(c.notice.kind, str(give_up).lower()).inc()
        log.warning("notice.send_failed", notice_id=str(c.notice.id), commitment_id=_cid(c),
                    error=result.error, attempts=c.attempts, given_up=give_up)

    def _too_old(self, c: ledger.Claim, now: dt.datetime) -> bool:
        """Still failing when the ladder's next step is due, or after the configured hours."""
        due = c.notice.give_up_after
        return (due is not None and now >= due) or now - c.queued_at > self.give_up_after


def _cid(c: ledger.Claim) -> str | None:
    return str(c.notice.commitment_id) if c.notice.commitment_id else None
