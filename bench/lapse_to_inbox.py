"""3. Lapse to inbox: seconds from an overdue commitment reaching the system
to its email at the SMTP server, through all three services, scan interval
1 s. The baseline is one bare Kafka produce-to-consume round trip on the same
broker (the least any path through Kafka can take).
Goal: p99 <= 3 s.   Run: .venv/bin/python bench/lapse_to_inbox.py [N]"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
import uuid

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from devtools.catcher import start_smtp  # noqa: E402
from services.common import tokens  # noqa: E402
from services.common.clock import london_today  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.migrate import upgrade_common  # noqa: E402


def kafka_round_trip(prefix: str, n: int = 200) -> float:
    topic = prefix + "followthrough.dlq"
    consumer = KafkaConsumer(bootstrap_servers=h.BOOTSTRAP, group_id=None, enable_auto_commit=False)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_end(tp)
    consumer.position(tp)  # resolve the lazy seek now, before the first ping is sent
    producer = KafkaProducer(bootstrap_servers=h.BOOTSTRAP, acks="all")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        producer.send(topic, b"ping", partition=0).get()
        while not consumer.poll(timeout_ms=100, max_records=1):
            pass
        times.append(time.perf_counter() - start)
    producer.close()
    consumer.close()
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    h.start_stack()
    prefix, db = h.new_prefix(), h.new_database()
    smtp_port = h.free_port()
    controller, caught = start_smtp(smtp_port)
    engine = make_engine(db)
    upgrade_common(engine)
    token = tokens.issue(engine, "admin", "bench@example.org")
    env = {"DATABASE_URL": db, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix, "FOLLOWTHROUGH_SCAN_INTERVAL": "1",
           "SMTP_PORT": str(smtp_port)}
    base = kafka_round_trip(prefix)
    with h.service("intake", env) as intake, h.service("tracker", env), h.service("notifier", env):
        auth = {"Authorization": f"Bearer {token}"}
        ladder = {"supervisor": "s@example.org", "senior_lead": "l@example.org", "board": "b@example.org"}
        httpx.post(f"{intake}/api/v1/panels", headers=auth, json={
            "slug": "bench", "name": "Bench", "area": "Bench", "escalation": ladder,
            "police_lead": {"role": "Inspector", "email": "lead@example.org"}}).raise_for_status()
        today = london_today()
        posted: dict[str, float] = {}
        with httpx.Client() as client:
            for i in range(n):
                owner = f"owner-{uuid.uuid4().hex[:10]}@example.org"
                posted[owner] = time.perf_counter()
                client.post(f"{intake}/api/v1/recommendations", headers=auth, json={
                    "panel": "bench", "raised_on": (today - dt.timedelta(days=40)).isoformat(), "title": f"R{i}",
                    "themes": [], "decision": "agreed", "commitment": {
                        "action": "Act", "done_means": "Done", "owner": {"role": "Inspector", "email": owner},
                        "due": (today - dt.timedelta(days=1)).isoformat(),
                        "agreed_on": (today - dt.timedelta(days=30)).isoformat()}}).raise_for_status()
                time.sleep(0.05)  # a steady 20 a second, not one burst
        arrived: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while len(arrived) < n and time.monotonic() < deadline:
            for m in caught.snapshot():
                for r in m.envelope_to:
                    if r in posted and r not in arrived:
                        arrived[r] = m.received_at  # stamped by the SMTP server in this process
            time.sleep(0.2)
    controller.stop()
    lat = sorted(arrived[r] - posted[r] for r in arrived)
    p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{len(arrived)} of {n} emails arrived; p50 {p50:.2f} s, p99 {p99:.2f} s")
    h.report("lapse to inbox", "bare Kafka produce->consume round trip, median seconds", base,
             "overdue commitment to email at the SMTP server, p99 seconds", p99, p99 / base, "p99 <= 3 s",
             p99 <= 3.0 and len(arrived) == n)


if __name__ == "__main__":
    main()
