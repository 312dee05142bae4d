"""Transactional outbox: an event is a row written in the same transaction as
the state change it describes; a relay thread publishes rows to Kafka in
insertion order and marks them published.

A crash between publish and mark re-sends the row on restart (at-least-once);
consumers dedup by event id. Every message is a structured-mode CloudEvent with the
binding's constant `content-type` header, so a re-send is the same message, headers
included. On PostgreSQL one relay at a time holds an advisory lock, so several replicas
keep per-key order.
"""

from __future__ import annotations

import json
import threading
import zlib
from typing import Any, Callable

import structlog
from kafka import KafkaProducer
from prometheus_client import Counter
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from schemas.binding import HEADERS
from schemas.events import EVENT_TYPES
from services.common.clock import SYSTEM
from services.common.topics import ensure_topics

log = structlog.get_logger()

PUBLISHED = Counter("followthrough_outbox_published_total", "Events relayed from an outbox to Kafka", ["outbox"])


def outbox_table(metadata: MetaData, name: str) -> Table:
    """Each service owns its outbox table (`intake_outbox`, `tracker_outbox`…)."""
    return Table(
        name, metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index(f"ix_{name}_unpublished", "id", postgresql_where=text("published_at IS NULL"),
              sqlite_where=text("published_at IS NULL")),
    )


def add(session: Session, table: Table, event: dict[str, Any]) -> None:
    """Queue an event (built by schemas.make_event) inside the caller's transaction."""
    add_many(session, table, [event])


def add_many(session: Session, table: Table, events: list[dict[str, Any]]) -> None:
    if events:
        session.execute(table.insert(), [
            {"event_id": e["id"], "topic": EVENT_TYPES[e["type"]].topic, "key": e["subject"],
             "payload": json.dumps(e, separators=(",", ":"))}
            for e in events
        ])


class OutboxRelay(threading.Thread):
    """Publishes unpublished rows, oldest first, until stopped."""

    def __init__(
        self, engine: Engine, table: Table, bootstrap: str, *, prefix: str = "",
        batch: int = 500, idle_wait: float = 0.2,
        producer_factory: Callable[[], KafkaProducer] | None = None, replication_factor: int | None = None,
    ) -> None:
        super().__init__(name=f"relay-{table.name}", daemon=True)
        self.engine, self.table, self.batch, self.idle_wait = engine, table, batch, idle_wait
        self.prefix = prefix
        self._producer_factory = producer_factory or (lambda: make_producer(bootstrap, prefix, replication_factor))
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock_id = zlib.crc32(table.name.encode())

    def wake(self) -> None:
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.join(timeout)

    def run(self) -> None:
        producer = None
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                producer = producer or self._producer_factory()
                sent = self.relay_once(producer)
                backoff = 0.5
            except Exception as exc:  # broker or database away: wait and try again, lose nothing
                log.warning("outbox.relay_failed", outbox=self.table.name, error=str(exc))
                producer = _discard(producer)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if not sent:
                self._wake.wait(self.idle_wait)
                self._wake.clear()
        if producer is not None:
            producer.close(timeout=5)

    def relay_once(self, producer: KafkaProducer) -> int:
        """Publish one batch; return how many rows were published."""
        t = self.table
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                got = session.execute(select(func.pg_try_advisory_xact_lock(self._lock_id))).scalar()
                if not got:
                    return 0
            rows = session.execute(
                select(t.c.id, t.c.topic, t.c.key, t.c.payload)
                .where(t.c.published_at.is_(None)).order_by(t.c.id).limit(self.batch)
            ).all()
            if not rows:
                return 0
            futures = [
                producer.send(self.prefix + r.topic, key=r.key.encode(), value=r.payload.encode(),
                              headers=list(HEADERS))
                for r in rows
            ]
            producer.flush(timeout=30)
            for f in futures:
                f.get(timeout=30)  # raises if the broker refused any of them
            session.execute(
                update(t).where(t.c.id.in_([r.id for r in rows]))
                .values(published_at=SYSTEM.now())
            )
        PUBLISHED.labels(t.name).inc(len(rows))
        log.info("outbox.published", outbox=t.name, events=len(rows),
                 event_ids=[json.loads(r.payload)["id"] for r in rows[:20]])
        return len(rows)


def _discard(producer: KafkaProducer | None) -> None:
    """Drop a producer whose broker went away. Its close() flushes first and raises
    when the broker is still gone; that must not end the relay thread."""
    if producer is not None:
        try:
            producer.close(timeout=0)
        except Exception as exc:
            log.warning("outbox.producer_close_failed", error=str(exc))
    return None


def make_producer(bootstrap: str, prefix: str = "", replication_factor: int | None = None) -> KafkaProducer:
    """`replication_factor`: the service's KAFKA_REPLICATION_FACTOR, for topics not made yet."""
    ensure_topics(bootstrap, timeout_s=5, prefix=prefix, replication_factor=replication_factor, ask_again=False)
    # acks=all: a write counts once every in-sync replica has it (min.insync.replicas of them).
    # Idempotence: a retry after a lost ack is not written twice. One in-flight request per
    # connection keeps order when the client retries.
    return KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2, retries=5,
        max_in_flight_requests_per_connection=1, client_id="followthrough-outbox",
    )
