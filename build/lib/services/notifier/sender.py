"""The delivery loop: claim, render, send, record. Failures are rescheduled
with exponential backoff in the ledger, so one failing recipient never holds
up the others.

Nothing raised while delivering one claim leaves that claim's work: a notice
that cannot be rendered is given up at once (`notice.failed`), a mailer that
raises counts as a failed attempt and is retried, and a result the database
would not take is logged, the row coming back when its lease runs out."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Callable

import structlog
from prometheus_client import Counter
from sqlalchemy import Engine

from services.common.clock import SYSTEM, Clock
from services.notifier import ledger
from services.notifier.mailer import Mailer, SendResult
from services.notifier.render import digest_message_id, header_value, render, render_digest

log = structlog.get_logger()
SENT = Counter("followthrough_emails_sent_total", "Emails accepted by the SMTP server", ["kind"])
FAILED = Counter("followthrough_delivery_failures_total", "Failed delivery attempts", ["kind", "final"])
RESENT = Counter("followthrough_emails_resent_total", "Sends retried after a crash mid-send (same Message-ID)")
STALE = Counter("followthrough_delivery_stale_results_total",
                "Results not recorded because another replica had taken the row after the lease ran out")

# The lease must outlive the longest send, or another replica takes a row still being sent.
# A quarter more covers recording the result and replicas' clocks being slightly apart.
LEASE_MARGIN = 1.25


def backoff(attempts: int, base: float = 2.0, cap: float = 600.0) -> dt.timedelta:
    return dt.timedelta(seconds=min(cap, base * 2 ** min(attempts - 1, 30)))


def effective_lease(configured: float | None, longest_send: float) -> dt.timedelta:
    """The configured lease, raised (with a warning) when a send could outlast it; unset: the shortest safe one."""
    floor = longest_send * LEASE_MARGIN
    if configured is not None and configured < floor:
        log.warning("delivery.lease_raised", configured_s=configured, effective_s=floor, longest_send_s=longest_send)
    return dt.timedelta(seconds=max(configured or 0.0, floor))


class Sender:
    def __init__(self, engine: Engine, mailer: Mailer, sender: str, *, give_up_after: dt.timedelta,
                 lease: dt.timedelta, idle_wait: float = 0.5, after_busy: Callable[[], None] = lambda: None,
                 max_backoff: float = 600.0, clock: Clock = SYSTEM, batch: int = 20) -> None:
        self.clock = clock
        self.engine, self.mailer, self.sender, self.after_busy = engine, mailer, sender, after_busy
        self.max_backoff, self.batch = max_backoff, batch
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
        free = min(self.mailer.free_slots(), self.batch)  # no row claimed that cannot be sent at once
        claims = await asyncio.to_thread(ledger.claim, self.engine, now, self.lease, free)
        digests = await asyncio.to_thread(ledger.claim_digests, self.engine, now, free - len(claims))
        await asyncio.gather(*(self._deliver(c) for c in claims),
                             *(self._deliver_digest(r, cs) for r, cs in digests.items()))
        return bool(claims or digests)

    async def _deliver(self, c: ledger.Claim) -> None:
        try:
            await self._attempt(c)
        except Exception:  # the database would not take the result: the lease brings the row back
            log.exception("delivery.unrecorded", notice_id=str(c.notice.id), attempts=c.attempts)

    async def _attempt(self, c: ledger.Claim) -> None:
        if c.resend:
            RESENT.inc()
            log.warning("delivery.resend", notice_id=str(c.notice.id), attempts=c.attempts)
        try:
            message = render(c.notice, c.recipient, self.sender, self.clock.now())
        except Exception as exc:  # the same notice renders the same way next time: give up now
            log.exception("notice.render_failed", notice_id=str(c.notice.id), commitment_id=_cid(c))
            await self._failed(c, f"cannot render: {_describe(exc)}", give_up=True)
            return
        result = await self._send(message)
        if not result.ok:
            give_up = not result.recoverable or self._too_old(c, self.clock.now())
            await self._failed(c, result.error or "unknown", give_up)
            return
        if await asyncio.to_thread(ledger.mark_sent, self.engine, c, self.clock.now()):
            SENT.labels(c.notice.kind).inc()
            log.info("notice.sent", notice_id=str(c.notice.id), commitment_id=_cid(c), kind=c.notice.kind,
                     attempts=c.attempts)
        else:
            _stale(c)

    async def _deliver_digest(self, recipient: str, claims: list[ledger.Claim]) -> None:
        try:
            await self._attempt_digest(recipient, claims)
        except Exception:
            log.exception("digest.unrecorded", notices=len(claims))

    async def _attempt_digest(self, recipient: str, claims: list[ledger.Claim]) -> None:
        mid = digest_message_id([str(c.notice.id) for c in claims], recipient)
        try:
            message = render_digest([c.notice for c in claims], recipient, self.sender, mid, self.clock.now())
        except Exception as exc:
            log.exception("digest.render_failed", notices=len(claims))
            for c in claims:
                await self._failed(c, f"cannot render: {_describe(exc)}", give_up=True, retry_state="digest")
            return
        result = await self._send(message)
        for c in claims:
            if not result.ok:
                give_up = not result.recoverable or self._too_old(c, self.clock.now())
                await self._failed(c, result.error or "unknown", give_up, retry_state="digest")
            elif not await asyncio.to_thread(ledger.mark_sent, self.engine, c, self.clock.now(), mid):
                _stale(c)
        if result.ok:
            SENT.labels("digest").inc()
            log.info("digest.sent", recipient_count=1, notices=len(claims))

    async def _send(self, message) -> SendResult:
        try:
            return await self.mailer.send(message)
        except Exception as exc:  # a surprise in the mailer: a failed attempt like any other, retried
            log.exception("delivery.send_raised")
            return SendResult(ok=False, recoverable=True, error=_describe(exc))

    async def _failed(self, c: ledger.Claim, error: str, give_up: bool, retry_state: str = "pending") -> None:
        now = self.clock.now()
        retry_at = None if give_up else now + backoff(c.attempts, cap=self.max_backoff)
        error = header_value(error)[:1000]  # one line, no control characters: it goes out in an event
        if not await asyncio.to_thread(ledger.mark_failed, self.engine, c, now, error, retry_at, retry_state):
            _stale(c)
            return
        FAILED.labels(c.notice.kind, str(give_up).lower()).inc()
        log.warning("notice.send_failed", notice_id=str(c.notice.id), commitment_id=_cid(c),
                    error=error, attempts=c.attempts, given_up=give_up)

    def _too_old(self, c: ledger.Claim, now: dt.datetime) -> bool:
        """Still failing when the ladder's next step is due, or after the configured hours."""
        due = c.notice.give_up_after
        return (due is not None and now >= due) or now - c.queued_at > self.give_up_after


def _stale(c: ledger.Claim) -> None:
    STALE.inc()
    log.warning("delivery.stale_result_ignored", notice_id=str(c.notice.id), attempts=c.attempts,
                why="the lease ran out and another claim holds the row; its result stands")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _cid(c: ledger.Claim) -> str | None:
    return str(c.notice.commitment_id) if c.notice.commitment_id else None
