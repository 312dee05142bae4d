"""The dispatcher: one worker per subscription with work, each on its own (docs/contract.md §8.3).

Every 0.2 s, or at once when woken (new events, a replay), the dispatcher asks the store which
subscriptions have something due and starts a worker for each that has none running here. A worker
first takes the subscription's lease in the store (one replica at a time, renewed while it works),
then: a `confirming` subscription is asked the CloudEvents handshake; an `active` one gets its
pending events one at a time, lowest sequence first, the next only after the one before is delivered.
It stops when the first pending event is not due yet; the dispatcher starts it again when it is.

A worker never waits for another: a receiver that hangs spends its own worker's time (up to the
sender's timeout per call), and every other subscription goes on. After a crash (kill -9) the lease
lapses and a worker takes the subscription again; an event in flight then is sent again under the
same webhook-id, and `mark_delivered` records its success once."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from services.common.clock import SYSTEM, Clock
from services.webhooks.domain import handshake, outcome, schedule, signing
from services.webhooks.domain.payload import delivery_headers
from services.webhooks.usecases import metrics

log = structlog.get_logger()

Tell = Callable[[Any, str], Awaitable[object]]  # (subscription, reason): the owner's one email
REFUSED = "refused"  # the sender's error text for an address it will not call starts with this
REFRESH = 1.0  # seconds a worker trusts its copy of the subscription (state, keys, rate) before reading it again
COOL_DOWN = 5.0  # seconds before a worker that failed (the database away) is started again
TELL_EVERY = 60.0  # seconds between looks for owners still to be told (a crash between disable and email)


class Answer(Protocol):
    status: int | None
    headers: Mapping[str, str]
    error: str | None
    duration_ms: int


class Sender(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer: ...
    async def options(self, url: str, headers: Mapping[str, str]) -> Answer: ...


class Store(Protocol):  # services.webhooks.adapters.store.SqlStore
    def get(self, sub_id: str): ...
    def signing_keys(self, sub, now: dt.datetime) -> list[str]: ...
    def take_lease(self, sub_id: str, owner: str, until: dt.datetime, now: dt.datetime) -> bool: ...
    def release_lease(self, sub_id: str, owner: str) -> None: ...
    def subscriptions_with_work(self, now: dt.datetime, owner: str | None = None) -> list[str]: ...
    def next_delivery(self, sub_id: str): ...
    def record_attempt(self, sub_id: str, event_seq: int | None, *, at: dt.datetime, status: int | None,
                       result: str, reason: str, duration_ms: int) -> None: ...
    def mark_delivered(self, sub_id: str, event_seq: int, now: dt.datetime) -> bool: ...
    def mark_retry(self, sub_id: str, event_seq: int, attempts: int, next_at: dt.datetime, reason: str) -> Any: ...
    def confirmed(self, sub_id: str, rate_per_minute: int | None) -> Any: ...
    def confirm_failed(self, sub_id: str, attempts: int, next_at: dt.datetime, reason: str) -> Any: ...
    def disable(self, sub_id: str, reason: str, now: dt.datetime) -> bool: ...
    def owners_to_tell(self) -> list: ...
    def told_owner(self, sub_id: str, now: dt.datetime) -> Any: ...


async def _nobody(sub, reason: str) -> None:
    return None


@dataclass
class _Known:
    """A worker's copy of its subscription and signing keys, read again after REFRESH seconds."""
    sub: Any
    keys: list[str]
    read_at: float


class Dispatcher:
    def __init__(self, store: Store, sender: Sender, clock: Clock = SYSTEM, *, origin: str,
                 owner: str | None = None, lease: dt.timedelta = dt.timedelta(seconds=30), tell: Tell = _nobody,
                 poll: float = 0.2, jitter: Callable[[], float] | None = None,
                 thread: Callable[..., Awaitable[Any]] | None = None, threads: int = 16) -> None:
        """`owner`: this replica's name on the leases (a fresh one per process); `tell(sub, reason)`: the
        email to a disabled subscription's owner; `jitter()`: the schedule's spread in [-0.1, 0.1];
        `thread(fn, *args)`: how a blocking store call is run (tests pass one that calls it in place); by
        default in a pool of `threads` of the dispatcher's own, so the workers' short database calls do
        not queue behind the consumer's batches in asyncio's small default pool (CPUs + 4)."""
        self.store, self.sender, self.clock, self.origin = store, sender, clock, origin
        self.owner = owner or str(uuid.uuid4())
        self.lease, self.tell, self.poll = lease, tell, poll
        self.jitter = jitter or (lambda: random.uniform(-schedule.MAX_JITTER, schedule.MAX_JITTER))
        self._pool = None if thread else ThreadPoolExecutor(threads, thread_name_prefix="webhooks-store")
        self._thread = thread or self._in_pool
        self.workers: dict[str, asyncio.Task] = {}
        self._resting: dict[str, float] = {}  # sub id -> monotonic time before which a failed worker is not restarted
        self._last_post: dict[str, float] = {}  # sub id -> monotonic time of its last POST (its allowed rate)
        self._woken: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._told_at = 0.0

    async def _in_pool(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    # -- the loop -----------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for work now; safe from any thread (the faust handler runs in one)."""
        if self._loop is not None and self._woken is not None:
            self._loop.call_soon_threadsafe(self._woken.set)

    async def run(self) -> None:
        self._loop, self._woken = asyncio.get_running_loop(), asyncio.Event()
        try:
            while True:
                try:
                    await self.pass_once()
                except Exception as exc:  # noqa: BLE001 - the database away: try again on the next pass
                    log.warning("webhooks.pass_failed", error=type(exc).__name__)
                    await asyncio.sleep(1.0)
                try:
                    await asyncio.wait_for(self._woken.wait(), self.poll)
                except TimeoutError:
                    pass
                self._woken.clear()
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Stop every worker; each releases its lease on the way out, so another replica goes on at once."""
        tasks = list(self.workers.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    async def pass_once(self) -> list[asyncio.Task]:
        """Start a worker for every subscription with work due and none running; returns those started."""
        if time.monotonic() - self._told_at >= TELL_EVERY:
            self._told_at = time.monotonic()
            for sub in await self._thread(self.store.owners_to_tell):
                await self._tell_owner(sub, sub.disabled_reason or "disabled")
        now = self.clock.now()
        started = []
        for sub_id in await self._thread(self.store.subscriptions_with_work, now, self.owner):
            running = self.workers.get(sub_id)
            if (running and not running.done()) or self._resting.get(sub_id, 0.0) > time.monotonic():
                continue
            task = asyncio.create_task(self._worker(sub_id), name=f"webhooks-{sub_id}")
            self.workers[sub_id] = task
            task.add_done_callback(lambda t, s=sub_id: self._finished(s, t))
            started.append(task)
        return started

    def _finished(self, sub_id: str, task: asyncio.Task) -> None:
        if self.workers.get(sub_id) is task:
            del self.workers[sub_id]

    # -- one subscription's worker --------------------------------------------------------------

    async def _worker(self, sub_id: str) -> None:
        now = self.clock.now()
        try:
            if not await self._thread(self.store.take_lease, sub_id, self.owner, now + self.lease, now):
                return  # another replica's worker has it
        except Exception as exc:  # noqa: BLE001 - the database away: the next pass tries again
            log.warning("webhooks.lease_failed", subscription=sub_id, error=type(exc).__name__)
            self._resting[sub_id] = time.monotonic() + COOL_DOWN
            return
        work = asyncio.current_task()
        renewing = asyncio.create_task(self._renew(sub_id, work))
        try:
            await self.work(sub_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a database fault: rest, then the next pass starts it again
            log.warning("webhooks.worker_failed", subscription=sub_id, error=type(exc).__name__)
            self._resting[sub_id] = time.monotonic() + COOL_DOWN
        finally:
            renewing.cancel()
            try:
                await self._thread(self.store.release_lease, sub_id, self.owner)
            except Exception as exc:  # noqa: BLE001 - it lapses by itself
                log.warning("webhooks.release_failed", subscription=sub_id, error=type(exc).__name__)

    async def _renew(self, sub_id: str, work: asyncio.Task | None) -> None:
        """Keep the lease while the worker runs; if another replica took it (ours lapsed), stop the worker,
        since two workers on one subscription would break its order."""
        every = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            now = self.clock.now()
            try:
                held = await self._thread(self.store.take_lease, sub_id, self.owner, now + self.lease, now)
            except Exception as exc:  # noqa: BLE001 - try again; the lease still runs for a while
                log.warning("webhooks.renew_failed", subscription=sub_id, error=type(exc).__name__)
                continue
            if not held:
                log.warning("webhooks.lease_lost", subscription=sub_id)
                if work is not None:
                    work.cancel()
                return

    async def work(self, sub_id: str) -> None:
        """The subscription's loop, while this worker holds its lease: handshake, then events in order."""
        known: _Known | None = None
        while True:
            if known is None or time.monotonic() - known.read_at > REFRESH:
                known = await self._read(sub_id)
                if known is None:
                    return  # deleted
            sub = known.sub
            if sub.state == "confirming":
                if sub.next_confirm_at is not None and sub.next_confirm_at > self.clock.now():
                    return
                await self.confirm(sub)
                known = None
                continue
            if sub.state != "active":
                return
            delivery = await self._thread(self.store.next_delivery, sub_id)
            if delivery is None or delivery.next_attempt_at > self.clock.now():
                return  # nothing more, or the first one is not due: the next pass comes back for it
            await self._keep_rate(sub)
            if await self.deliver(sub, known.keys, delivery) != "delivered":
                return  # retried later or disabled: either way not the next event before this one

    async def _read(self, sub_id: str) -> _Known | None:
        sub = await self._thread(self.store.get, sub_id)
        if sub is None:
            return None
        keys = await self._thread(self.store.signing_keys, sub, self.clock.now()) if sub.state == "active" else []
        return _Known(sub, keys, time.monotonic())

    async def _keep_rate(self, sub) -> None:
        """The rate the receiver asked for in its handshake (WebHook-Allowed-Rate, a minute's requests)."""
        if not sub.rate_per_minute:
            return
        gap = 60.0 / sub.rate_per_minute
        last = self._last_post.get(sub.id)
        if last is not None and (wait := last + gap - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    # -- one delivery ----------------------------------------------------------------------------

    async def deliver(self, sub, keys: Sequence[str], delivery) -> str:
        """POST one event, record the attempt and what it means; returns the result recorded."""
        at = self.clock.now()
        signature = signing.signature_header(keys, delivery.event_id, at, delivery.body)
        self._last_post[sub.id] = time.monotonic()
        answer = await self.sender.post(sub.url, delivery.body, delivery_headers(delivery.event_id, at, signature))
        done_at = self.clock.now()
        judged = outcome.judge(answer.status, answer.headers, answer.error, done_at)
        result = REFUSED if _refused(answer) else judged.kind
        await self._thread(lambda: self.store.record_attempt(
            sub.id, delivery.event_seq, at=at, status=answer.status, result=result, reason=judged.reason,
            duration_ms=answer.duration_ms))
        metrics.count(result)
        log.info("webhooks.attempt", subscription=sub.id, event_id=delivery.event_id, result=result,
                 status=answer.status, reason=judged.reason, attempt=delivery.attempts + 1)
        if judged.kind == "delivered":
            await self._thread(self.store.mark_delivered, sub.id, delivery.event_seq, done_at)
            return "delivered"
        if judged.kind == "gone":
            await self._disable(sub, "the receiver answered 410 Gone: it asked for nothing more to be sent", done_at)
            return "gone"
        attempts = delivery.attempts + 1
        next_at = schedule.next_attempt_at(attempts, done_at, retry_after=judged.retry_after, jitter=self.jitter())
        if next_at is None:
            await self._disable(sub, f"{attempts} attempts to deliver event {delivery.event_id} failed over the "
                                     f"retry schedule; the last: {judged.reason}", done_at)
            return result
        await self._thread(self.store.mark_retry, sub.id, delivery.event_seq, attempts, next_at, judged.reason)
        return result

    # -- the handshake -----------------------------------------------------------------------------

    async def confirm(self, sub) -> bool:
        """The CloudEvents validation handshake: OPTIONS with our origin; True when the receiver agreed."""
        at = self.clock.now()
        answer = await self.sender.options(sub.url, {"WebHook-Request-Origin": self.origin})
        done_at = self.clock.now()
        agreed = handshake.consent(self.origin, answer.status, answer.headers, answer.error)
        await self._thread(lambda: self.store.record_attempt(
            sub.id, None, at=at, status=answer.status, result=REFUSED if _refused(answer) else "handshake",
            reason=agreed.reason, duration_ms=answer.duration_ms))
        log.info("webhooks.handshake", subscription=sub.id, agreed=agreed.given, reason=agreed.reason)
        if agreed.given:
            await self._thread(self.store.confirmed, sub.id, agreed.rate_per_minute)
            return True
        attempts = sub.confirm_attempts + 1
        next_at = schedule.next_attempt_at(attempts, done_at, jitter=self.jitter())
        if next_at is None:
            await self._disable(sub, f"the receiver did not agree to the validation handshake in {attempts} "
                                     f"tries; the last: {agreed.reason}", done_at)
        else:
            await self._thread(self.store.confirm_failed, sub.id, attempts, next_at, agreed.reason)
        return False

    # -- disabling ---------------------------------------------------------------------------------

    async def _disable(self, sub, reason: str, now: dt.datetime) -> None:
        if await self._thread(self.store.disable, sub.id, reason, now):
            log.warning("webhooks.disabled", subscription=sub.id, reason=reason)
            await self._tell_owner(sub, reason)

    async def _tell_owner(self, sub, reason: str) -> None:
        """One email, whichever replica gets here first: `told_owner` is marked before sending."""
        if not sub.owner_email or not await self._thread(self.store.told_owner, sub.id, self.clock.now()):
            return
        try:
            await self.tell(sub, reason)
        except Exception as exc:  # noqa: BLE001 - the owner's email must not stop the deliveries
            log.warning("webhooks.tell_owner_failed", subscription=sub.id, error=type(exc).__name__)


def _refused(answer: Answer) -> bool:
    return answer.status is None and (answer.error or "").startswith(REFUSED)
