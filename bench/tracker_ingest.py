"""1. Tracker ingest: events/s for the tracker to store N agreed recommendations
already on the topic, against two baselines on the same database server:

- same work (the goal's baseline): a bare kafka-python consumer and psycopg,
  writing per poll batch, in one pipelined transaction, exactly the rows the
  tracker writes: processed-event id, recommendation, commitment, first
  timeline entry (hash-chained) and the `commitment.opened` outbox row;
- commitments only (the old baseline, context): the same consumer writing the
  commitment row alone through SQLAlchemy.

The tracker's rate runs from its first stored row to its last (its consumer
group's join is printed apart). Goal: ratio >= 0.5 of the same-work baseline.
Run: .venv/bin/python bench/tracker_ingest.py [N]"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time

import psycopg
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
GENESIS = "0" * 64


def produce(prefix: str, n: int, topic: str = TOPIC) -> None:
    producer = KafkaProducer(bootstrap_servers=h.BOOTSTRAP, acks="all", linger_ms=20, batch_size=262144)
    today = dt.date.today()
    for i in range(n):
        e = agreed_event("bench", today + dt.timedelta(days=30 + i % 300))
        producer.send(prefix + topic, key=e["subject"].encode(), value=json.dumps(e).encode())
    producer.flush()
    producer.close()


def _consumer(prefix: str) -> KafkaConsumer:
    consumer = KafkaConsumer(bootstrap_servers=h.BOOTSTRAP, enable_auto_commit=False, group_id=None,
                             max_poll_records=2000)
    parts = [TopicPartition(prefix + TOPIC, p) for p in consumer.partitions_for_topic(prefix + TOPIC)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    return consumer


def commitments_only(prefix: str, n: int) -> float:
    """The old baseline: poll, build the commitment rows, INSERT them in batches (nothing else)."""
    engine = make_engine(h.new_database())
    migrate(engine)
    policy = Policy().model_dump(mode="json")
    consumer = _consumer(prefix)
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


SAME_WORK = {
    "processed": "INSERT INTO tracker_processed_events (event_id) VALUES (%s) "
                 "ON CONFLICT DO NOTHING RETURNING event_id",
    "recommendation": "INSERT INTO tracker_recommendations (id, panel, raised_on, title, detail, themes, decision) "
                      "VALUES (%s, %s, %s, %s, %s, %s, 'agreed') ON CONFLICT DO NOTHING",
    "commitment": "INSERT INTO tracker_commitments (id, recommendation_id, panel, action, done_means, owner_role, "
                  "owner_email, owner_name, escalation, agreed_on, due, original_due, due_version, update_every_days, "
                  "ladder_since, status, update_count, disputes, completions, handovers, confirm_extra_days, policy, "
                  "next_action_on) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, %s, %s, 'open', 0, 0, "
                  "0, 0, 0, %s, %s) ON CONFLICT DO NOTHING",
    "timeline": "INSERT INTO tracker_timeline (commitment_id, seq, at, kind, entry, prev_hash, hash) "
                "VALUES (%s, 1, %s, 'agreed', %s, %s, %s)",
    "outbox": "INSERT INTO tracker_outbox (event_id, topic, key, payload) VALUES (%s, %s, %s, %s)",
}


def same_work(prefix: str, n: int) -> float:
    """The least machinery that stores what the tracker stores: psycopg executemany (pipelined) per batch."""
    url = h.new_database()
    migrate(make_engine(url))
    policy = json.dumps(Policy().model_dump(mode="json"))
    consumer = _consumer(prefix)
    stored, start = 0, time.perf_counter()
    with psycopg.connect(url) as conn:
        while stored < n:
            events = [json.loads(m.value) for batch in consumer.poll(timeout_ms=500).values() for m in batch]
            if not events:
                continue
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(SAME_WORK["processed"], [(e["id"],) for e in events], returning=True)
                fresh = set()
                while True:
                    fresh.update(r[0] for r in cur.fetchall())
                    if not cur.nextset():
                        break
                events = [e for e in events if e["id"] in fresh]
                recs, rows, entries, outbox = [], [], [], []
                for e in events:
                    r, c, at = e["data"]["recommendation"], e["data"]["commitment"], e["time"]
                    today = dt.date.fromisoformat(at[:10])
                    recs.append((r["id"], r["panel"], r["raised_on"], r["title"], r["detail"], json.dumps(r["themes"])))
                    rows.append((c["id"], r["id"], r["panel"], c["action"], c["done_means"], c["owner"]["role"],
                                 c["owner"]["email"], c["owner"].get("name"), json.dumps(c["escalation"]),
                                 c["agreed_on"], c["due"], c["due"], c["update_every_days"],
                                 max(today, dt.date.fromisoformat(c["agreed_on"])), policy, today))
                    entry = {"action": c["action"], "done_means": c["done_means"], "due": c["due"],
                             "owner_role": c["owner"]["role"]}
                    body = json.dumps({"seq": 1, "at": at, "kind": "agreed", "entry": entry}, sort_keys=True,
                                      separators=(",", ":"))
                    digest = hashlib.sha256((GENESIS + body).encode()).hexdigest()
                    entries.append((c["id"], at, json.dumps(entry), GENESIS, digest))
                    opened = {"specversion": "1.0", "id": e["id"][::-1], "type": "commitment.opened",
                              "source": "followthrough/tracker", "subject": c["id"], "time": at,
                              "datacontenttype": "application/json",
                              "data": {"commitment": {"id": c["id"], "recommendation_id": r["id"],
                                                      "panel": r["panel"], "action": c["action"],
                                                      "done_means": c["done_means"], "owner_role": c["owner"]["role"],
                                                      "due": c["due"], "original_due": c["due"], "due_moves": 0,
                                                      "status": "open", "days_overdue": 0, "last_update_at": None,
                                                      "requested_due": None},
                                       "timeline": {"seq": 1, "at": at, "kind": "agreed", "entry": entry,
                                                    "prev_hash": GENESIS, "hash": digest}}}
                    outbox.append((opened["id"], "followthrough.commitments", c["id"],
                                   json.dumps(opened, separators=(",", ":"))))
                cur.executemany(SAME_WORK["recommendation"], recs)
                cur.executemany(SAME_WORK["commitment"], rows)
                cur.executemany(SAME_WORK["timeline"], entries)
                cur.executemany(SAME_WORK["outbox"], outbox)
            stored += len(events)
    elapsed = time.perf_counter() - start
    consumer.close()
    return n / elapsed


def tracker(prefix: str, n: int) -> tuple[float, float]:
    """(events/s from the first stored commitment to the last, seconds from ready to the first)."""
    url = h.new_database()
    engine = make_engine(url)
    with h.service("tracker", {"DATABASE_URL": url, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix,
                               "FOLLOWTHROUGH_SCAN_INTERVAL": "3600"}):
        ready, first = time.perf_counter(), None
        while True:
            with engine.connect() as conn:
                stored = conn.execute(sa.text("SELECT count(*) FROM tracker_commitments")).scalar()
            now = time.perf_counter()
            if stored and first is None:
                first, first_count = now, stored
            if stored >= n:
                return (n - first_count) / (now - first), first - ready
            time.sleep(0.1)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    h.start_stack()
    prefix = h.new_prefix()
    produce(prefix, n)
    old = commitments_only(prefix, n)
    base = same_work(prefix, n)
    result, join = tracker(prefix, n)
    print(f"tracker: {join:.1f} s from ready to its first stored row (consumer group join), then steady state")
    h.line(f"tracker ingest, N={n}", {"commitments-only": old, "same-work": base}, "tracker", result,
           unit="events/s", goal=0.5, against="same-work")


if __name__ == "__main__":
    main()
