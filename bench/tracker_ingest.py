"""1. Tracker ingest: events/s for the tracker to store N agreed
recommendations already on the topic, against a bare kafka-python consumer
doing batched INSERTs of the same rows into the same database server.
Goal: ratio >= 0.5.   Run: .venv/bin/python bench/tracker_ingest.py [N]"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.adapters.store import commitments  # noqa: E402
from services.tracker.bootstrap import migrate  # noqa: E402
from services.tracker.domain import Policy  # noqa: E402
from tests.support.events import agreed_event  # noqa: E402

TOPIC = "followthrough.recommendations"


def produce(prefix: str, n: int) -> None:
    producer = KafkaProducer(bootstrap_servers=h.BOOTSTRAP, acks="all", linger_ms=20, batch_size=262144)
    today = dt.date.today()
    for i in range(n):
        e = agreed_event("bench", today + dt.timedelta(days=30 + i % 300))
        producer.send(prefix + TOPIC, key=e["subject"].encode(), value=json.dumps(e).encode())
    producer.flush()
    producer.close()


def baseline(prefix: str, n: int) -> float:
    """A bare consumer: poll, build the same rows, INSERT them in batches."""
    engine = make_engine(h.new_database())
    migrate(engine)
    policy = Policy().model_dump(mode="json")
    consumer = KafkaConsumer(bootstrap_servers=h.BOOTSTRAP, enable_auto_commit=False, group_id=None,
                             max_poll_records=2000)
    parts = [TopicPartition(prefix + TOPIC, p) for p in consumer.partitions_for_topic(prefix + TOPIC)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    stored, start = 0, time.perf_counter()
    while stored < n:
        rows = []
        for batch in consumer.poll(timeout_ms=500).values():
            for m in batch:
                e = json.loads(m.value)["data"]
                c, r = e["commitment"], e["recommendation"]
                rows.append(dict(
                    id=c["id"], recommendation_id=r["id"], panel=r["panel"], action=c["action"],
                    done_means=c["done_means"], owner_role=c["owner"]["role"], owner_email=c["owner"]["email"],
                    owner_name=None, escalation=c["escalation"], agreed_on=dt.date.fromisoformat(c["agreed_on"]),
                    due=dt.date.fromisoformat(c["due"]), original_due=dt.date.fromisoformat(c["due"]), due_version=1,
                    update_every_days=c["update_every_days"], ladder_since=dt.date.today(), status="open",
                    update_count=0, disputes=0, completions=0, policy=policy, next_action_on=dt.date.today()))
        if rows:
            with engine.begin() as conn:
                conn.execute(commitments.insert(), rows)
            stored += len(rows)
    elapsed = time.perf_counter() - start
    consumer.close()
    return n / elapsed


def tracker(prefix: str, n: int) -> float:
    url = h.new_database()
    engine = make_engine(url)
    with h.service("tracker", {"DATABASE_URL": url, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix,
                               "FOLLOWTHROUGH_SCAN_INTERVAL": "3600"}):
        start = time.perf_counter()
        while True:
            with engine.connect() as conn:
                stored = conn.execute(sa.text("SELECT count(*) FROM tracker_commitments")).scalar()
            if stored >= n:
                return n / (time.perf_counter() - start)
            time.sleep(0.2)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    h.start_stack()
    prefix = h.new_prefix()
    produce(prefix, n)
    base = baseline(prefix, n)
    result = tracker(prefix, n)
    ratio = result / base
    h.report(f"tracker ingest, N={n}", "bare kafka-python consumer + batched INSERT, events/s", base,
             "tracker (faust agent, dedup, timeline, outbox), events/s", result, ratio, ">= 0.5", ratio >= 0.5)


if __name__ == "__main__":
    main()
