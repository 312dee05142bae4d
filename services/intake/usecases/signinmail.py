"""Sending the sign-in emails `signin.email_link` queued: claim the due ones with a lease (so
replicas never send the same one at once), send, record. A failed send waits twice as long each
time and is given up when its link expires; given up or sent, the row forgets the link.

A sender that dies mid-send leaves its row claimed; once the lease runs out another claim takes
it and sends it again with the same Message-ID, so the facilitator's mail client shows one email.
Nothing raised while sending one email stops the others."""

from __future__ import annotations

import asyncio
import datetime as dt

import structlog
from prometheus_client import Counter

from services.common.clock import SYSTEM, Clock
from services.intake.domain.signinmail import Claim, SendResult, expired, next_try
from services.intake.usecases.ports import LinkMailer, Storage

log = structlog.get_logger()
EMAILS = Counter("followthrough_signin_emails_total",
                 "Sign-in email attempts: sent, failed (tried again later) or given_up (the link expired first)",
                 ["result"])


class SigninMail:
    def __init__(self, storage: Storage, mailer: LinkMailer, lease: dt.timedelta, *, clock: Clock = SYSTEM,
                 batch: int = 10) -> None:
        self.storage, self.mailer, self.lease, self.clock, self.batch = storage, mailer, lease, clock, batch

    async def once(self) -> bool:
        """One pass over what is due; True when anything was claimed."""
        claims = await asyncio.to_thread(self._claim, self.clock.now())
        await asyncio.gather(*(self._deliver(c) for c in claims))
        return bool(claims)

    def _claim(self, now: dt.datetime) -> list[Claim]:
        with self.storage.transaction() as store:
            return store.claim_signin_emails(now, self.lease, self.batch)

    async def _deliver(self, c: Claim) -> None:
        try:
            await self._attempt(c)
        except Exception:  # the database would not take the result: the lease brings the row back
            log.exception("signin.email_unrecorded", attempts=c.attempts)

    async def _attempt(self, c: Claim) -> None:
        if c.resend:
            log.warning("signin.email_resend", attempts=c.attempts, message_id=c.message_id)
        if expired(c, self.clock.now()):  # waited out while intake was down: a dead link helps nobody
            await self._failed(c, SendResult(ok=False, permanent=True, error="the link expired before it was sent"))
            return
        result = await self._send(c)
        if not result.ok:
            await self._failed(c, result)
        elif await self._record(lambda store: store.signin_email_sent(c)):
            EMAILS.labels("sent").inc()
            log.info("signin.link_sent", attempts=c.attempts, message_id=c.message_id)

    async def _send(self, c: Claim) -> SendResult:
        try:
            return await self.mailer.send(c.recipient, c.link, c.message_id, language=c.language)
        except Exception as exc:  # a surprise in the mailer: a failed attempt like any other
            log.exception("signin.email_send_raised")
            return SendResult(ok=False, error=type(exc).__name__)

    async def _failed(self, c: Claim, result: SendResult) -> None:
        retry_at = next_try(c.attempts, self.clock.now(), c.expires_at, permanent=result.permanent)
        error = (result.error or "unknown")[:1000]
        if not await self._record(lambda store: store.signin_email_failed(c, error, retry_at)):
            return
        if retry_at is None:
            EMAILS.labels("given_up").inc()
            log.error("signin.email_given_up", attempts=c.attempts, error=error, message_id=c.message_id)
        else:
            EMAILS.labels("failed").inc()
            log.warning("signin.email_failed", attempts=c.attempts, error=error, retry_at=retry_at.isoformat())

    async def _record(self, write) -> bool:
        """Write a result in its own transaction; False (logged) when the claim no longer held the row."""
        def run() -> bool:
            with self.storage.transaction() as store:
                return write(store)
        if await asyncio.to_thread(run):
            return True
        log.warning("signin.email_stale_result", why="the lease ran out and another claim holds the row")
        return False
