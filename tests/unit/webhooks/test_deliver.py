"""The dispatcher (services/webhooks/usecases/deliver.py) with an in-memory store, a scripted sender
and a simulated clock: order per subscription, the handshake, 410, the retry schedule to its end
(docs/contract.md §8.3), the owner told once, a hanging receiver that holds up no other, and a
crashed replica's lease taken over with the same webhook-id."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from standardwebhooks import Webhook

from services.common.clock import SimulatedClock
from services.webhooks.adapters.sender import Answer
from services.webhooks.adapters.store import Delivery
from services.webhooks.domain.schedule import SCHEDULE
from services.webhooks.domain.signing import new_key
from services.webhooks.usecases.deliver import Dispatcher

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.timezone.utc)
ORIGIN = "followthrough.example"
OK = Answer(200, {}, None, 3)
CONSENT = Answer(200, {"webhook-allowed-origin": ORIGIN}, None, 2)


@dataclass
class Sub:
    id: str
    url: str
    owner_email: str | None = "owner@example.org"
    state: str = "active"
    scheme: str = "v1"
    types: tuple = ("*",)
    disabled_reason: str | None = None
    rate_per_minute: int | None = None
    confirm_attempts: int = 0
    next_confirm_at: dt.datetime | None = None
    previous_until: dt.datetime | None = None
    lease_owner: str | None = None
    lease_until: dt.datetime | None = None
    told: bool = False


@dataclass
class Row:
    state: str = "pending"
    attempts: int = 0
    next_at: dt.datetime = T0
    successes: int = 0


@dataclass
class MemoryStore:
    """SqlStore's behaviour that the dispatcher relies on, in memory."""
    subs: dict[str, Sub] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    events: list[tuple[int, str, bytes]] = field(default_factory=list)
    rows: dict[tuple[str, int], Row] = field(default_factory=dict)
    attempt_log: list[dict] = field(default_factory=list)
    retries: list[tuple[str, int, int, dt.datetime]] = field(default_factory=list)

    def add(self, sub: Sub) -> Sub:
        self.subs[sub.id], self.keys[sub.id] = sub, new_key("v1").private
        return sub

    def publish(self, n: int = 1) -> list[str]:
        ids = []
        for _ in range(n):
            seq = len(self.events) + 1
            event_id = f"ev-{seq}"
            self.events.append((seq, event_id, json.dumps({"id": event_id, "data": {"n": seq}}).encode()))
            for sub in self.subs.values():
                if sub.state != "disabled":
                    self.rows[(sub.id, seq)] = Row(next_at=T0)
            ids.append(event_id)
        return ids

    def get(self, sub_id):
        sub = self.subs.get(sub_id)
        return dataclasses.replace(sub) if sub else None

    def signing_keys(self, sub, now):
        return [self.keys[sub.id]]

    def take_lease(self, sub_id, owner, until, now):
        sub = self.subs[sub_id]
        if sub.lease_owner in (None, owner) or sub.lease_until < now:
            sub.lease_owner, sub.lease_until = owner, until
            return True
        return False

    def release_lease(self, sub_id, owner):
        sub = self.subs[sub_id]
        if sub.lease_owner == owner:
            sub.lease_owner = sub.lease_until = None

    def _first(self, sub_id) -> tuple[int, Row] | None:
        pending = sorted((seq, r) for (s, seq), r in self.rows.items() if s == sub_id and r.state == "pending")
        return pending[0] if pending else None

    def subscriptions_with_work(self, now, owner=None):
        found = []
        for sub in self.subs.values():
            if owner is not None and sub.lease_owner not in (None, owner) and sub.lease_until >= now:
                continue
            first = self._first(sub.id)
            if (sub.state == "confirming" and (sub.next_confirm_at is None or sub.next_confirm_at <= now)) or \
                    (sub.state == "active" and first and first[1].next_at <= now):
                found.append(sub.id)
        return found

    def next_delivery(self, sub_id):
        first = self._first(sub_id)
        if first is None:
            return None
        seq, row = first
        _, event_id, body = self.events[seq - 1]
        return Delivery(sub_id, seq, event_id, body, row.attempts, row.next_at, T0)

    def record_attempt(self, sub_id, event_seq, *, at, status, result, reason, duration_ms):
        self.attempt_log.append(dict(sub=sub_id, seq=event_seq, at=at, status=status, result=result, reason=reason))

    def mark_delivered(self, sub_id, event_seq, now):
        row = self.rows[(sub_id, event_seq)]
        if row.state != "pending":
            return False
        row.state, row.successes = "delivered", row.successes + 1
        return True

    def mark_retry(self, sub_id, event_seq, attempts, next_at, reason):
        row = self.rows[(sub_id, event_seq)]
        row.attempts, row.next_at = attempts, next_at
        self.retries.append((sub_id, event_seq, attempts, next_at))
        return True

    def confirmed(self, sub_id, rate_per_minute):
        self.subs[sub_id].state, self.subs[sub_id].rate_per_minute = "active", rate_per_minute
        return True

    def confirm_failed(self, sub_id, attempts, next_at, reason):
        self.subs[sub_id].confirm_attempts, self.subs[sub_id].next_confirm_at = attempts, next_at
        return True

    def disable(self, sub_id, reason, now):
        sub = self.subs[sub_id]
        if sub.state == "disabled":
            return False
        sub.state, sub.disabled_reason = "disabled", reason
        return True

    def owners_to_tell(self):
        return [dataclasses.replace(s) for s in self.subs.values() if s.state == "disabled" and not s.told
                and s.owner_email]

    def told_owner(self, sub_id, now):
        if self.subs[sub_id].told:
            return False
        self.subs[sub_id].told = True
        return True


class ScriptedSender:
    """Answers each URL's POSTs from its script (a function of the POST's number there, from 0)."""

    def __init__(self, scripts: dict[str, Callable[[int], Answer]] | None = None,
                 handshake: Callable[[str], Answer] = lambda url: CONSENT) -> None:
        self.scripts, self.handshake = scripts or {}, handshake
        self.posts: list[tuple[str, dict, bytes]] = []
        self.options_calls: list[tuple[str, dict]] = []
        self.hang: dict[str, asyncio.Event] = {}

    async def post(self, url, body, headers):
        n = sum(1 for u, _, _ in self.posts if u == url)
        self.posts.append((url, dict(headers), body))
        if url in self.hang:
            await self.hang[url].wait()
        return self.scripts.get(url, lambda n: OK)(n)

    async def options(self, url, headers):
        self.options_calls.append((url, dict(headers)))
        return self.handshake(url)

    def ids(self, url) -> list[str]:
        return [h["webhook-id"] for u, h, _ in self.posts if u == url]


async def inline(fn, *args):
    return fn(*args)


class Told:
    def __init__(self) -> None:
        self.emails: list[tuple[str, str]] = []

    async def __call__(self, sub, reason):
        self.emails.append((sub.id, reason))


def dispatcher(store, sender, clock, told=None, **kwargs) -> Dispatcher:
    return Dispatcher(store, sender, clock, origin=ORIGIN, tell=told or Told(), jitter=lambda: 0.0,
                      thread=inline, **kwargs)


async def drain(d: Dispatcher) -> None:
    """Passes until no worker is started: everything due now is done."""
    for _ in range(100):
        started = await d.pass_once()
        if not started:
            return
        await asyncio.gather(*started)
    raise AssertionError("the dispatcher never settled")


def run(coro):
    return asyncio.run(coro)


def test_events_go_in_order_and_the_next_waits_for_the_one_before():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://a.example/hook"))
    fails_once = {sub.url: lambda n: Answer(500, {}, None, 1) if n == 0 else OK}
    sender = ScriptedSender(fails_once)
    ids = store.publish(3)

    async def scenario():
        d = dispatcher(store, sender, clock)
        await drain(d)
        assert sender.ids(sub.url) == [ids[0]]  # failed: nothing after it is sent
        assert store.retries == [("sub_a", 1, 1, T0 + SCHEDULE[1])]
        clock.advance(SCHEDULE[1] - dt.timedelta(seconds=1))
        await drain(d)
        assert sender.ids(sub.url) == [ids[0]]  # not due yet
        clock.advance(dt.timedelta(seconds=1))
        await drain(d)

    run(scenario())
    assert sender.ids(sub.url) == [ids[0], ids[0], ids[1], ids[2]]
    assert all(r.successes == 1 for r in store.rows.values())
    assert [a["result"] for a in store.attempt_log] == ["retry", "delivered", "delivered", "delivered"]


def test_each_delivery_is_signed_with_standard_webhooks_headers():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://a.example/hook"))
    sender = ScriptedSender()
    store.publish(1)
    run(drain(dispatcher(store, sender, clock)))
    (_, headers, body), = sender.posts
    assert headers["webhook-id"] == "ev-1"
    assert headers["webhook-timestamp"] == str(int(T0.timestamp()))
    assert headers["content-type"].startswith("application/cloudevents+json")
    # The receiver's library accepts it (its own clock check is what the simulated time would fail).
    secret = store.keys[sub.id]
    assert Webhook(secret).sign("ev-1", T0, body.decode()) == headers["webhook-signature"]


def test_a_410_disables_at_once_and_the_owner_is_told_once():
    clock, store, told = SimulatedClock(T0), MemoryStore(), Told()
    sub = store.add(Sub("sub_gone", "https://gone.example/hook"))
    sender = ScriptedSender({sub.url: lambda n: Answer(410, {}, None, 1)})
    store.publish(3)

    async def scenario():
        d = dispatcher(store, sender, clock, told)
        await drain(d)
        d._told_at = 0.0  # the periodic look for owners still to tell finds nobody new
        await drain(d)

    run(scenario())
    assert len(sender.posts) == 1
    assert store.subs[sub.id].state == "disabled" and "410" in store.subs[sub.id].disabled_reason
    assert [s for s, _ in told.emails] == [sub.id]
    assert store.attempt_log[-1]["result"] == "gone"


def test_the_schedule_runs_out_on_the_simulated_clock_then_the_subscription_is_disabled():
    clock, store, told = SimulatedClock(T0), MemoryStore(), Told()
    sub = store.add(Sub("sub_dead", "https://dead.example/hook"))
    sender = ScriptedSender({sub.url: lambda n: Answer(None, {}, "connection refused", 1)})
    store.publish(2)
    attempt_times = []

    async def scenario():
        d = dispatcher(store, sender, clock, told)
        while store.subs[sub.id].state == "active":
            before = len(sender.posts)
            await drain(d)
            if len(sender.posts) > before:
                attempt_times.append(clock.now())
            row = store.rows[(sub.id, 1)]
            clock.set(max(clock.now(), row.next_at))
            assert len(attempt_times) <= len(SCHEDULE)

    run(scenario())
    gaps = [b - a for a, b in zip(attempt_times, attempt_times[1:], strict=False)]
    assert len(attempt_times) == len(SCHEDULE) == 10
    assert gaps == list(SCHEDULE[1:])  # jitter 0 here; the domain's tests hold it within ±10 %
    assert attempt_times[-1] - attempt_times[0] == sum(SCHEDULE, dt.timedelta())  # about three days
    assert sender.ids(sub.url) == ["ev-1"] * 10  # the second event never went before the first
    assert store.subs[sub.id].state == "disabled" and "10 attempts" in store.subs[sub.id].disabled_reason
    assert [s for s, _ in told.emails] == [sub.id]


def test_retry_after_of_a_429_is_honoured_when_longer_than_the_schedule():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_busy", "https://busy.example/hook"))
    sender = ScriptedSender({sub.url: lambda n: Answer(429, {"retry-after": "120"}, None, 1) if n == 0 else OK})
    store.publish(1)
    run(drain(dispatcher(store, sender, clock)))
    assert store.retries == [(sub.id, 1, 1, T0 + dt.timedelta(seconds=120))]


def test_nothing_is_posted_before_the_receiver_consents_to_the_handshake():
    clock, store = SimulatedClock(T0), MemoryStore()
    no = store.add(Sub("sub_no", "https://no.example/hook", state="confirming"))
    yes = store.add(Sub("sub_yes", "https://yes.example/hook", state="confirming"))
    sender = ScriptedSender(handshake=lambda url: CONSENT if url == yes.url else Answer(403, {}, None, 1))
    store.publish(2)
    run(drain(dispatcher(store, sender, clock)))
    assert sender.ids(yes.url) == ["ev-1", "ev-2"]
    assert sender.ids(no.url) == []
    assert {h["WebHook-Request-Origin"] for _, h in sender.options_calls} == {ORIGIN}
    assert store.subs[no.id].state == "confirming" and store.subs[no.id].confirm_attempts == 1
    assert store.subs[no.id].next_confirm_at == T0 + SCHEDULE[1]


def test_a_handshake_never_agreed_disables_when_the_schedule_runs_out():
    clock, store, told = SimulatedClock(T0), MemoryStore(), Told()
    no = store.add(Sub("sub_no", "https://no.example/hook", state="confirming"))
    sender = ScriptedSender(handshake=lambda url: Answer(200, {}, None, 1))  # 200 without the allowed origin
    store.publish(1)

    async def scenario():
        d = dispatcher(store, sender, clock, told)
        for _ in range(len(SCHEDULE) + 2):
            await drain(d)
            if store.subs[no.id].next_confirm_at:
                clock.set(max(clock.now(), store.subs[no.id].next_confirm_at))

    run(scenario())
    assert len(sender.options_calls) == len(SCHEDULE)
    assert sender.posts == []
    assert store.subs[no.id].state == "disabled" and told.emails[0][0] == no.id


def test_a_hanging_receiver_holds_up_no_other_subscription():
    clock, store = SimulatedClock(T0), MemoryStore()
    dead = store.add(Sub("sub_dead", "https://dead.example/hook"))
    alive = [store.add(Sub(f"sub_{i}", f"https://r{i}.example/hook")) for i in range(3)]
    sender = ScriptedSender()
    sender.hang[dead.url] = asyncio.Event()
    ids = store.publish(20)

    async def scenario():
        d = dispatcher(store, sender, clock)
        started = await d.pass_once()
        assert len(started) == 4
        alive_ones = [t for t in started if t.get_name() != f"webhooks-{dead.id}"]
        await asyncio.wait_for(asyncio.gather(*alive_ones), 5)  # all of theirs while the dead one hangs
        assert not d.workers[dead.id].done()
        assert await d.pass_once() == []  # the hanging one's worker is not doubled
        await d.stop()

    run(scenario())
    for sub in alive:
        assert sender.ids(sub.url) == ids
    assert sender.ids(dead.url) == [ids[0]]
    assert store.subs[dead.id].lease_owner is None  # stopping gave the lease back


def test_a_crashed_replicas_lease_lapses_and_the_event_in_flight_is_sent_again_with_its_id():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://a.example/hook"))
    store.publish(2)
    # A replica killed (-9) mid-POST: the receiver may have had ev-1, its success never recorded.
    sub.lease_owner, sub.lease_until = "killed-replica", T0 + dt.timedelta(seconds=30)
    sender = ScriptedSender()

    async def scenario():
        d = dispatcher(store, sender, clock, lease=dt.timedelta(seconds=30))
        await drain(d)
        assert sender.posts == []  # the lease still runs: nobody else sends
        clock.advance(dt.timedelta(seconds=31))
        await drain(d)

    run(scenario())
    assert sender.ids(sub.url) == ["ev-1", "ev-2"]
    assert store.mark_delivered(sub.id, 1, clock.now()) is False  # a late success from the old one counts nothing
    assert [r.successes for r in store.rows.values()] == [1, 1]


def test_a_refused_address_is_logged_as_refused_and_retried_on_the_schedule():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://inside.example/hook"))
    refused = Answer(None, {}, "refused: url: the host inside.example resolves to 10.0.0.1", 0)
    sender = ScriptedSender({sub.url: lambda n: refused})
    store.publish(1)
    run(drain(dispatcher(store, sender, clock)))
    assert store.attempt_log[0]["result"] == "refused"
    assert store.retries == [(sub.id, 1, 1, T0 + SCHEDULE[1])]


@pytest.mark.parametrize("rate", [120])
def test_the_rate_the_receiver_allowed_is_kept(rate):
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://a.example/hook", rate_per_minute=rate))
    sender = ScriptedSender()
    store.publish(3)

    async def scenario():
        loop = asyncio.get_running_loop()
        began = loop.time()
        await drain(dispatcher(store, sender, clock))
        return loop.time() - began

    took = run(scenario())
    assert sender.ids(sub.url) == ["ev-1", "ev-2", "ev-3"]
    assert took >= 2 * 60 / rate * 0.9  # two gaps of half a second


def test_by_default_the_store_is_called_from_the_dispatchers_own_threads():
    clock, store = SimulatedClock(T0), MemoryStore()
    sub = store.add(Sub("sub_a", "https://a.example/hook"))
    sender = ScriptedSender()
    store.publish(2)

    async def scenario():
        d = Dispatcher(store, sender, clock, origin=ORIGIN, jitter=lambda: 0.0)
        await drain(d)
        await d.stop()

    run(scenario())
    assert sender.ids(sub.url) == ["ev-1", "ev-2"]
