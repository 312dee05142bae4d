"""Two tracker processes scan one PostgreSQL database every second for a
minute over 1,000 commitments: each required notice exists exactly once."""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import re
import time

import httpx
from kafka import KafkaProducer

from services.common.clock import london_today
from services.tracker.domain import Commitment, Contacts, Policy, decide
from tests.support.events import agreed_event, panel_event, publish
from tests.support.topics import read

N = 1000


def _expected(event: dict, today: dt.date) -> set[str]:
    c = event["data"]["commitment"]
    due, agreed = dt.date.fromisoformat(c["due"]), dt.date.fromisoformat(c["agreed_on"])
    commitment = Commitment(id=c["id"], status="open", agreed_on=agreed, due=due, original_due=due,
                            update_every_days=c["update_every_days"], ladder_since=max(today, agreed),
                            contacts=Contacts("o", "s", "l", "b"))
    return {n.key for n in decide(commitment, today, Policy())}


def test_two_trackers_decide_each_notice_once(services, stack, uid, prefix, topic):
    rng = random.Random(7)
    today = london_today()
    publish(stack.bootstrap, panel_event(uid), prefix)
    events = [agreed_event(uid, today + dt.timedelta(days=rng.randint(-60, 60)),
                           agreed_on=today - dt.timedelta(days=rng.randint(0, 200)))
              for _ in range(N)]
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", linger_ms=20)
    for e in events:
        producer.send(topic("followthrough.recommendations"), key=e["subject"].encode(), value=json.dumps(e).encode())
    producer.flush()
    producer.close()

    env = {"FOLLOWTHROUGH_SCAN_INTERVAL": "1", "FOLLOWTHROUGH_AUDIT_INTERVAL": "5"}
    trackers = [services("tracker", **env), services("tracker", **env)]
    time.sleep(60)

    expected = {(e["data"]["commitment"]["id"], key) for e in events for key in _expected(e, today)}
    mine = {e["data"]["commitment"]["id"] for e in events}
    notices = read(stack.bootstrap, topic("followthrough.notices"),
                   where=lambda n: n["data"]["notice"]["commitment_id"] in mine,
                   until=lambda found: len(found) >= len(expected), timeout=30)
    counts = collections.Counter((n["data"]["notice"]["commitment_id"], n["data"]["notice"]["key"]) for n in notices)
    duplicates = {k: v for k, v in counts.items() if v > 1}
    print(f"\n{N} commitments, {len(expected)} notices required, {len(counts)} decided, "
          f"{len(duplicates)} duplicated")
    assert duplicates == {}
    assert set(counts) == expected
    for t in trackers:
        metrics = httpx.get(f"{t.url}/metrics").text
        assert re.search(r"^followthrough_missing_notices 0\.0$", metrics, re.M), metrics[-2000:]
