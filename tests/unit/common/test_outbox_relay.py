"""The relay thread outlives a broker that goes away mid-flush.

kafka-python's close() flushes first, so with the broker gone it raises the
same timeout as the flush did; that once ended the thread and the service
published nothing more until restarted. The real broker restart is in
tests/faults; this pins the thread's own behaviour, quickly."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from kafka.errors import KafkaTimeoutError
from sqlalchemy.orm import Session

from services.common import outbox
from services.common.health import relay_check


class Broker:
    """Stands in for kafka-python's producer: away for the first `away` producers."""

    def __init__(self, away: int):
        self.away, self.made, self.received = away, 0, []

    def producer(self):
        self.made += 1
        return Producer(self, down=self.made <= self.away)


class Producer:
    def __init__(self, broker, down):
        self.broker, self.down, self.pending = broker, down, []

    def send(self, topic, key, value, headers=None):
        self.pending.append((topic, key, value, tuple(headers or ())))
        return self

    def get(self, timeout):
        return None

    def flush(self, timeout=None):
        if self.down:
            raise KafkaTimeoutError("Timeout waiting for future")
        self.broker.received.extend(self.pending)
        self.pending = []

    def close(self, timeout=None):
        self.flush(timeout)


def test_the_relay_survives_a_broker_that_is_gone_and_publishes_once_it_is_back(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/outbox.db")
    table = outbox.outbox_table(sa.MetaData(), "test_outbox")
    table.create(engine)
    with Session(engine) as session, session.begin():
        outbox.add(session, table, {"id": "e1", "type": "panel.registered", "subject": "p1"})
    broker = Broker(away=3)
    relay = outbox.OutboxRelay(engine, table, "unused:9092", producer_factory=broker.producer, idle_wait=0.01)
    relay.start()

    class App:
        class state:
            pass
    App.state.relay = relay
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not broker.received:
            time.sleep(0.05)
        assert relay.is_alive(), "the relay thread ended when the broker went away"
        assert [t for t, *_ in broker.received] == ["followthrough.panels"]
        assert broker.made == 4
        relay_check(App)()  # alive: no error
    finally:
        relay.stop()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM test_outbox WHERE published_at IS NULL")).scalar() == 0


def test_a_row_relayed_again_after_a_crash_carries_the_same_event_id(tmp_path):
    """A crash after the broker took a batch and before the mark committed leaves the rows
    unpublished; the next relay sends them again, byte for byte and headers included, so consumers
    dedup by id."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/outbox.db")
    table = outbox.outbox_table(sa.MetaData(), "test_outbox")
    table.create(engine)
    with Session(engine) as session, session.begin():
        outbox.add_many(session, table, [{"id": f"e{i}", "type": "panel.registered", "subject": f"p{i}"}
                                         for i in range(3)])
    broker = Broker(away=0)
    relay = outbox.OutboxRelay(engine, table, "unused:9092", producer_factory=broker.producer)
    producer = broker.producer()
    assert relay.relay_once(producer) == 3
    producer.flush()
    with engine.begin() as conn:  # what the crash leaves: published, but not marked
        conn.execute(table.update().values(published_at=None))
    assert relay.relay_once(producer) == 3
    producer.flush()
    first, again = broker.received[:3], broker.received[3:]
    assert again == first
    assert [json.loads(v)["id"] for _, _, v, _ in again] == ["e0", "e1", "e2"]
    # Structured CloudEvents mode: every message says so in its Kafka content-type header.
    assert {h for *_, h in broker.received} == {(("content-type", b"application/cloudevents+json; charset=UTF-8"),)}
