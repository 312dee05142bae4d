"""Deliver what is due: claim, render, send, record. Failures are rescheduled
with exponential backoff in the ledger, so one failing recipient never holds
up the others.

Nothing raised while delivering one claim leaves that claim's work: a notice
that cannot be rendered is given up at once (`notice.failed`), a mailer that
raises counts as a failed attempt and is retried, and a result the database
would not take is logged, the row coming back when its lease runs out."""

from __future__ import annotations

import asyncio
import datetime as dt

import structlog
from prometheus_client import Counter

from services.common.clock import SYSTEM, Clock
from services.notifier.adapters import email_renderer
from services.notifier.domain.delivery import Claim, SendResult, backoff, gives_up
from services.notifier.domain.email_rules import header_value
from services.notifier.domain.message_ids import digest_message_id
from services.notifier.usecases.ports import DeliveryLedger, Mailer, Renderer

log = structlog.get_logger()
SENT = Counter("followthrough_emails_sent_total", "Emails accepted by the SMTP server", ["kind"])
FAILED = Counter("followthrough_delivery_failures_total", "Failed delivery attempts", ["kind", "final"])
RESENT = Counter("followthrough_emails_resent_total", "Sends retried after a crash mid-send (same Message-ID)")
STALE = Counter("followthrough_delivery_stale_results_total",
                "Results not recorded because another replica had taken the row after the lease ran out")


class Deliverer:
    def __init__(self, ledger: DeliveryLedger, mailer: Mailer, sender: str, *, give_up_after: dt.timedelta,
                 lease: dt.timedelta, max_backoff: float = 600.0, clock: Clock = SYSTEM, batch: int = 20,
                 renderer: Renderer = email_renderer) -> None:
        self.ledger, self.mailer, self.sender, self.renderer = ledger, mailer, sender, renderer
        self.give_up_after, self.lease, self.max_backoff = give_up_after, lease, max_backoff
        self.clock, self.batch = clock, batch

    async def once(self) -> bool:
        """One pass over what is due; True when anything was claimed."""
        now = self.clock.now()
        free = min(self.mailer.free_slots(), self.batch)  # no row claimed that cannot be sent at once
        claims = await asyncio.to_thread(self.ledger.claim, now, self.lease, free)
        digests = await asyncio.to_thread(self.ledger.claim_digests, now, free - len(claims))
        await asyncio.gather(*(self._deliver(c) for c in claims),
                             *(self._deliver_digest(r, cs) for r, cs in digests.items()))
        return bool(claims or digests)

    async def _deliver(self, c: Claim) -> None:
        try:
            await self._attempt(c)
        except Exception:  # the database would not take the result: the lease brings the row back
            log.exception("delivery.unrecorded", notice_id=str(c.notice.id), attempts=c.attempts)

    async def _attempt(self, c: Claim) -> None:
        if c.resend:
            RESENT.inc()
            log.warning("delivery.resend", notice_id=str(c.notice.id), attempts=c.attempts)
        try:
            message = self.renderer.render(c.notice, c.recipient, self.sender, self.clock.now())
        except Exception as exc:  # the same notice renders the same way next time: give up now
            log.exception("notice.render_failed", notice_id=str(c.notice.id), commitment_id=_cid(c))
            await self._failed(c, f"cannot render: {_describe(exc)}", give_up=True)
            return
        result = await self._send(message)
        if not result.ok:
            give_up = gives_up(result, c, self.clock.now(), self.give_up_after)
            await self._failed(c, result.error or "unknown", give_up)
            return
        if await asyncio.to_thread(self.ledger.mark_sent, c, self.clock.now()):
            SENT.labels(c.notice.kind).inc()
            log.info("notice.sent", notice_id=str(c.notice.id), commitment_id=_cid(c), kind=c.notice.kind,
                     attempts=c.attempts)
        else:
            _stale(c)

    async def _deliver_digest(self, recipient: str, claims: list[Claim]) -> None:
        try:
            await self._attempt_digest(recipient, claims)
        except Exception:
            log.exception("digest.unrecorded", notices=len(claims))

    async def _attempt_digest(self, recipient: str, claims: list[Claim]) -> None:
        mid = digest_message_id([str(c.notice.id) for c in claims], recipient)
        try:
            message = self.renderer.render_digest([c.notice for c in claims], recipient, self.sender, mid,
                                                  self.clock.now())
        except Exception as exc:
            log.exception("digest.render_failed", notices=len(claims))
            for c in claims:
                await self._failed(c, f"cannot render: {_describe(exc)}", give_up=True, retry_state="digest")
            return
        result = await self._send(message)
        for c in claims:
            if not result.ok:
                give_up = gives_up(result, c, self.clock.now(), self.give_up_after)
                await self._failed(c, result.error or "unknown", give_up, retry_state="digest")
            elif not await asyncio.to_thread(self.ledger.mark_sent, c, self.clock.now(), mid):
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

    async def _failed(self, c: Claim, error: str, give_up: bool, retry_state: str = "pending") -> None:
        now = self.clock.now()
        retry_at = None if give_up else now + backoff(c.attempts, cap=self.max_backoff)
        error = header_value(error)[:1000]  # one line, no control characters: it goes out in an event
        if not await asyncio.to_thread(self.ledger.mark_failed, c, now, error, retry_at, retry_state):
            _stale(c)
            return
        FAILED.labels(c.notice.kind, str(give_up).lower()).inc()
        log.warning("notice.send_failed", notice_id=str(c.notice.id), commitment_id=_cid(c),
                    error=error, attempts=c.attempts, given_up=give_up)


def _stale(c: Claim) -> None:
    STALE.inc()
    log.warning("delivery.stale_result_ignored", notice_id=str(c.notice.id), attempts=c.attempts,
                why="the lease ran out and another claim holds the row; its result stands")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _cid(c: Claim) -> str | None:
    return str(c.notice.commitment_id) if c.notice.commitment_id else None
