"""The webhooks ledger on a real database (SQLite and PostgreSQL): events stored once, deliveries
fanned out once, one success recorded per (subscription, event), leases, rotation, replay."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from services.webhooks.adapters import tables
from services.webhooks.adapters.secretbox import SecretBox
from services.webhooks.adapters.store import SqlStore, StoredEvent

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
SECOND = dt.timedelta(seconds=1)
BOX = SecretBox("a-secret-key-long-enough-for-the-tests-0123456789")


@dataclass(frozen=True)
class Key:  # what the store reads of domain.signing.NewKey
    scheme: str
    private: str
    shown: str = ""


def key(private: str = "whsec_b25l", scheme: str = "v1") -> Key:
    return Key(scheme, private, private)


def event(n: int, type_: str = "case.created", at: dt.datetime = T0) -> StoredEvent:
    return StoredEvent(id=f"evt-{n}", type=type_, subject=f"case-{n % 3}", time=at + n * SECOND,
                       body=f'{{"id":"evt-{n}","data":{{"n":{n},"w":"Cymraeg ŵ"}}}}'.encode())


@pytest.fixture
def store(engine) -> SqlStore:
    return SqlStore(engine, BOX)


def active(store: SqlStore, types=("*",), url="https://receiver.example/hook", now=T0) -> str:
    sub = store.create(url, list(types), "v1", "owner@example.org", key(), now)
    assert store.confirmed(sub.id, None)
    return sub.id


def test_migration_matches_the_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    ours = [d for d in diff if "webhooks_" in repr(d) and "webhooks_alembic_version" not in repr(d)]
    assert ours == []


def test_create_seals_the_key_and_starts_confirming(store, engine):
    sub = store.create("https://receiver.example/hook", ["case.created"], "v1", "owner@example.org",
                       key("whsec_c2VjcmV0"), T0)
    assert sub.id.startswith("sub_") and len(sub.id) <= 26
    assert (sub.state, sub.types, sub.confirm_attempts, sub.next_confirm_at) == ("confirming", ("case.created",), 0, T0)
    with engine.connect() as conn:
        stored = conn.execute(select(tables.subscriptions.c.key_enc)).scalar_one()
    assert "c2VjcmV0" not in stored
    assert store.signing_keys(sub, T0) == ["whsec_c2VjcmV0"]
    assert "c2VjcmV0" not in repr(sub)


def test_new_events_fan_out_once_to_live_subscriptions_that_want_them(store):
    everything = active(store)
    cases = active(store, types=["case.created"])
    confirming = store.create("https://c.example/", ["*"], "v1", None, key(), T0).id
    gone = active(store)
    store.delete(gone, T0)
    off = active(store)
    store.disable(off, "HTTP 410", T0)

    assert store.record_events([event(1), event(2, "case.closed")], T0) == 5  # 2 + 1 + 2
    # Redelivered by Kafka, or the same event twice in one batch: nothing new.
    assert store.record_events([event(1), event(2, "case.closed"), event(3), event(3)], T0) == 3
    seqs = {sub: _pending_seqs(store, sub) for sub in (everything, cases, confirming, gone, off)}
    assert [len(seqs[s]) for s in (everything, cases, confirming, gone, off)] == [3, 2, 3, 0, 0]


def test_two_replicas_recording_the_same_batch_store_and_fan_out_once(store, engine):
    subs = [active(store) for _ in range(3)]
    batch = [event(n) for n in range(40)]
    counts, errors, start = [], [], threading.Barrier(4)

    def replica():
        try:
            start.wait()
            counts.append(store.record_events(batch, T0))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(counts) == 120
    with engine.connect() as conn:
        assert len(conn.execute(select(tables.events.c.id)).all()) == 40
        assert len(conn.execute(select(tables.deliveries)).all()) == 120
    assert all(len(_pending_seqs(store, s)) == 40 for s in subs)


def test_next_delivery_is_the_lowest_pending_and_success_is_recorded_once(store):
    sub = active(store)
    store.record_events([event(1), event(2)], T0)
    first = store.next_delivery(sub)
    assert (first.event_id, first.attempts, first.next_attempt_at) == ("evt-1", 0, T0)
    assert first.body.decode() == '{"id":"evt-1","data":{"n":1,"w":"Cymraeg ŵ"}}'
    assert first.event_time == T0 + SECOND

    assert store.mark_retry(sub, first.event_seq, 1, T0 + 5 * SECOND, "HTTP 500")
    again = store.next_delivery(sub)
    assert (again.event_seq, again.attempts, again.next_attempt_at) == (first.event_seq, 1, T0 + 5 * SECOND)

    assert store.mark_delivered(sub, first.event_seq, T0 + 6 * SECOND) is True
    assert store.mark_delivered(sub, first.event_seq, T0 + 7 * SECOND) is False  # a second replica's
    assert store.mark_retry(sub, first.event_seq, 2, T0, "late") is False
    assert store.next_delivery(sub).event_id == "evt-2"


def test_mark_delivered_races_record_one_success(store):
    sub = active(store)
    store.record_events([event(1)], T0)
    seq = store.next_delivery(sub).event_seq
    results, start = [], threading.Barrier(6)

    def worker():
        start.wait()
        results.append(store.mark_delivered(sub, seq, T0))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_work_is_a_due_handshake_or_a_due_first_delivery(store):
    confirming = store.create("https://c.example/", ["*"], "v1", None, key(), T0).id
    waiting = active(store)
    idle = active(store)
    assert store.subscriptions_with_work(T0) == [confirming]

    store.record_events([event(1), event(2)], T0)
    assert set(store.subscriptions_with_work(T0)) == {confirming, waiting, idle}

    store.confirm_failed(confirming, 1, T0 + 5 * SECOND, "no consent")
    first = store.next_delivery(waiting).event_seq
    store.mark_retry(waiting, first, 1, T0 + 60 * SECOND, "HTTP 500")
    # Its second event is due, but order per subscription waits for the first.
    assert store.subscriptions_with_work(T0 + SECOND) == [idle]
    assert set(store.subscriptions_with_work(T0 + 60 * SECOND)) == {confirming, waiting, idle}

    assert store.take_lease(idle, "replica-b", T0 + 30 * SECOND, T0)
    assert idle not in store.subscriptions_with_work(T0, owner="replica-a")
    assert idle in store.subscriptions_with_work(T0, owner="replica-b")
    assert idle in store.subscriptions_with_work(T0 + 31 * SECOND, owner="replica-a")


def test_confirmed_and_disable_happen_once(store):
    sub = store.create("https://c.example/", ["*"], "v1", "owner@example.org", key(), T0).id
    store.confirm_failed(sub, 2, T0 + 10 * SECOND, "refused")
    assert (store.get(sub).confirm_attempts, store.get(sub).next_confirm_at) == (2, T0 + 10 * SECOND)
    assert store.confirmed(sub, 30) is True
    assert store.confirmed(sub, 60) is False
    assert (store.get(sub).state, store.get(sub).rate_per_minute) == ("active", 30)

    assert store.disabled_count() == 0
    assert store.disable(sub, "HTTP 410 Gone", T0) is True
    assert store.disable(sub, "again", T0 + SECOND) is False
    got = store.get(sub)
    assert (got.state, got.disabled_reason, got.disabled_at) == ("disabled", "HTTP 410 Gone", T0)
    assert store.disabled_count() == 1

    assert [s.id for s in store.owners_to_tell()] == [sub]
    assert store.told_owner(sub, T0) is True
    assert store.told_owner(sub, T0) is False  # another replica: it must not send
    assert store.owners_to_tell() == []


def test_a_lease_is_held_by_one_owner_until_it_expires_or_is_released(store):
    sub = active(store)
    assert store.take_lease(sub, "a", T0 + 30 * SECOND, T0)
    assert not store.take_lease(sub, "b", T0 + 40 * SECOND, T0 + 10 * SECOND)
    assert store.take_lease(sub, "a", T0 + 40 * SECOND, T0 + 10 * SECOND)  # renewed
    assert store.take_lease(sub, "b", T0 + 80 * SECOND, T0 + 41 * SECOND)  # expired
    store.release_lease(sub, "a")  # not a's any more: nothing happens
    assert not store.take_lease(sub, "a", T0 + 90 * SECOND, T0 + 42 * SECOND)
    store.release_lease(sub, "b")
    assert store.take_lease(sub, "a", T0 + 90 * SECOND, T0 + 42 * SECOND)


def test_rotation_signs_with_both_keys_during_the_overlap(store):
    sub = store.create("https://c.example/", ["*"], "v1", None, key("whsec_b2xk"), T0)
    rotated = store.rotate(sub.id, key("whsk_bmV3", "v1a"), dt.timedelta(hours=24), T0 + SECOND)
    assert rotated.scheme == "v1a" and rotated.previous_until == T0 + SECOND + dt.timedelta(hours=24)
    assert store.signing_keys(rotated, T0 + dt.timedelta(hours=1)) == ["whsk_bmV3", "whsec_b2xk"]
    assert store.signing_keys(rotated, T0 + dt.timedelta(hours=25)) == ["whsk_bmV3"]
    assert store.rotate("sub_missing", key(), dt.timedelta(hours=1), T0) is None


def test_replay_sends_a_time_range_again_including_events_from_before_the_subscription(store):
    old = active(store)
    store.record_events([event(n) for n in range(1, 6)] + [event(6, "case.closed")], T0)
    for _ in range(5):
        d = store.next_delivery(old)
        store.mark_delivered(old, d.event_seq, T0)
    late = active(store, types=["case.created"], now=T0 + dt.timedelta(hours=1))

    # [T0+2s, T0+6s): events 2..5 for the old subscription; the new one also gets them, never before.
    assert store.replay(old, T0 + 2 * SECOND, T0 + 6 * SECOND, T0 + dt.timedelta(hours=2)) == 4
    assert store.replay(late, T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(hours=2)) == 5  # not case.closed
    d = store.next_delivery(old)
    assert (d.event_id, d.attempts, d.next_attempt_at) == ("evt-2", 0, T0 + dt.timedelta(hours=2))
    assert len(_pending_seqs(store, old)) == 5  # 2..5 and the undelivered case.closed
    assert store.replay("sub_missing", T0, T0 + SECOND, T0) == 0


def test_attempts_newest_first_with_paging(store):
    sub = active(store)
    store.record_events([event(1)], T0)
    seq = store.next_delivery(sub).event_seq
    store.record_attempt(sub, None, at=T0, status=200, result="handshake", reason="consent given", duration_ms=3)
    for i in range(3):
        store.record_attempt(sub, seq, at=T0 + i * SECOND, status=500, result="retry", reason="HTTP 500",
                             duration_ms=12)
    page = store.attempts(sub, limit=2)
    assert [(a.event_id, a.status, a.at) for a in page] == [("evt-1", 500, T0 + 2 * SECOND),
                                                            ("evt-1", 500, T0 + SECOND)]
    rest = store.attempts(sub, limit=10, before_id=page[-1].id)
    assert [(a.event_seq, a.result, a.reason) for a in rest] == [(seq, "retry", "HTTP 500"),
                                                                 (None, "handshake", "consent given")]
    assert store.attempts("sub_other") == []


def test_delete_hides_the_subscription_and_drops_its_backlog(store):
    sub = active(store)
    keep = active(store)
    store.record_events([event(1), event(2)], T0)
    assert store.delete(sub, T0) is True
    assert store.delete(sub, T0) is False
    assert store.get(sub) is None and [s.id for s in store.list()] == [keep]
    assert store.next_delivery(sub) is None
    assert store.take_lease(sub, "a", T0 + SECOND, T0) is False
    assert list(store.oldest_undelivered(T0 + 10 * SECOND)) == [keep]


def test_oldest_undelivered_is_the_age_of_the_oldest_pending_event(store):
    sub = active(store)
    store.record_events([event(1), event(2)], T0)
    assert store.oldest_undelivered(T0 + 11 * SECOND) == {sub: 10.0}
    store.mark_delivered(sub, store.next_delivery(sub).event_seq, T0)
    assert store.oldest_undelivered(T0 + 11 * SECOND) == {sub: 9.0}
    store.mark_delivered(sub, store.next_delivery(sub).event_seq, T0)
    assert store.oldest_undelivered(T0 + 11 * SECOND) == {}

    store.record_events([event(3)], T0)
    store.disable(sub, "HTTP 410 Gone", T0)
    assert store.oldest_undelivered(T0 + 11 * SECOND) == {}  # counted by disabled_count instead


def test_a_key_of_another_scheme_is_refused_naming_the_field(store):
    with pytest.raises(ValueError, match="scheme"):
        store.create("https://c.example/", ["*"], "v1a", None, key("whsec_x", "v1"), T0)


def _pending_seqs(store: SqlStore, sub_id: str) -> list[int]:
    d = tables.deliveries.c
    with store.engine.connect() as conn:
        return conn.execute(select(d.event_seq).where(d.subscription_id == sub_id, d.state == "pending")
                            .order_by(d.event_seq)).scalars().all()



def test_real_keys_round_trip_through_the_store_and_sign(store):
    from standardwebhooks import Webhook

    from services.webhooks.domain.signing import new_key, signature_header

    old = new_key("v1")
    sub = store.create("https://c.example/", ["*"], "v1", None, old, T0)
    new = new_key("v1")
    rotated = store.rotate(sub.id, new, dt.timedelta(hours=24), T0)
    sent_at = dt.datetime.now(dt.timezone.utc)  # the package refuses messages older than five minutes
    header = signature_header(store.signing_keys(rotated, T0), "msg_1", sent_at, b"{}")
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(sent_at.timestamp())),
               "webhook-signature": header}
    for receiver_key in (old.shown, new.shown):  # a receiver holding either key verifies the message
        assert Webhook(receiver_key).verify(b"{}", headers) == {}
