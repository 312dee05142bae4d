"""Bad input at scale on every topic the services consume: random bytes,
JSON that is no event, events with the wrong data, unknown types, types that
belong on another topic, tombstones and absurd nesting. Every one lands on the
DLQ once, and the consumers carry on: the good events after them are applied
and nothing is left unconsumed."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import re
import time

import httpx
from kafka import KafkaProducer

from tests.support.events import agreed_event, panel_event
from tests.support.notices import notice_event
from tests.support.topics import read

TOPICS = {"followthrough.panels": "panel.registered", "followthrough.recommendations": "recommendation.agreed",
          "followthrough.deliveries": "notice.delivered", "followthrough.notices": "notice.requested"}
OTHER_TOPIC_TYPE = {"followthrough.panels": "notice.requested", "followthrough.recommendations": "panel.updated",
                    "followthrough.deliveries": "commitment.opened", "followthrough.notices": "message.rejected"}


def bad_messages(rng: random.Random, topic: str, template: dict) -> list[bytes | None]:
    def envelope(type_: str, data) -> bytes:
        return json.dumps({**template, "id": f"bad-{rng.random()}", "type": type_, "data": data}).encode()

    def junk_json():
        return rng.choice([rng.randint(-10**6, 10**6), "text", [1, 2, {"a": None}], {"hello": "world"}, None,
                           {"specversion": "1.0", "id": 7}])

    out: list[bytes | None] = []
    out += [rng.randbytes(rng.randint(0, 300)) for _ in range(40)]
    out += [json.dumps(junk_json()).encode() for _ in range(40)]
    out += [envelope(TOPICS[topic], {"junk": i}) for i in range(40)]
    out += [envelope(rng.choice(["commitment.teleported", "panel.deleted", "", "x" * 200]), {}) for _ in range(20)]
    out += [envelope(OTHER_TOPIC_TYPE[topic], {}) for _ in range(20)]
    out += [None, b"[" * 5000]  # a tombstone, and nesting deeper than any parser should follow
    return out


def lag(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics").text
    return {t: float(v) for t, v in re.findall(r'followthrough_consumer_lag\{service="\w+",topic="([^"]+)"\} (\S+)',
                                               text)}


def test_bad_input_on_every_consumed_topic_goes_to_the_dlq_and_the_consumers_carry_on(
        services, stack, smtp, uid, topic):
    tracker, notifier = services("tracker"), services("notifier")
    rng = random.Random(uid)
    template = panel_event(uid)
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", linger_ms=20)
    sent: dict[str, list[bytes | None]] = {}
    for name in TOPICS:
        sent[name] = bad_messages(rng, name, template)
        for i, value in enumerate(sent[name]):
            producer.send(topic(name), key=f"bad-{i}".encode(), value=value)

    # Then good events on each topic, which must still be applied.
    panel, agreed = panel_event(uid), agreed_event(uid, dt.date.today() + dt.timedelta(days=60))
    notice = notice_event(uid)
    for name, event in [("followthrough.panels", panel), ("followthrough.recommendations", agreed),
                        ("followthrough.notices", notice)]:
        producer.send(topic(name), key=event["subject"].encode(), value=json.dumps(event).encode())
    producer.flush()
    producer.close()
    total = sum(len(v) for v in sent.values())

    dlq = read(stack.bootstrap, topic("followthrough.dlq"), until=lambda f: len(f) >= total, timeout=180)
    assert len(dlq) == total, f"{total} bad messages sent, {len(dlq)} on the DLQ"
    for name, values in sent.items():
        rejected = sorted(base64.b64decode(d["data"]["raw"]) for d in dlq if d["data"]["topic"] == topic(name))
        assert rejected == sorted(v or b"" for v in values), name
    assert all(d["data"]["reason"] for d in dlq)

    commitment_id = agreed["data"]["commitment"]["id"]
    deadline = time.monotonic() + 60
    url = f"{tracker.url}/api/v1/commitments/{commitment_id}"
    while time.monotonic() < deadline and httpx.get(url).status_code != 200:
        time.sleep(0.5)
    assert httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}").status_code == 200
    while time.monotonic() < deadline and len(smtp.snapshot()) < 2:
        time.sleep(0.5)
    assert {r for m in smtp.snapshot() for r in m.envelope_to} == set(notice["data"]["notice"]["recipients"])

    # Nothing left behind: every consumed topic's lag comes down to 0.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and set(lag(tracker.url).values()) | set(lag(notifier.url).values()) != {0.0}:
        time.sleep(1)
    assert lag(tracker.url) == {"followthrough.panels": 0.0, "followthrough.recommendations": 0.0,
                                "followthrough.deliveries": 0.0}
    assert lag(notifier.url) == {"followthrough.notices": 0.0}
    for proc in (tracker, notifier):
        assert httpx.get(f"{proc.url}/healthz").status_code == 200
