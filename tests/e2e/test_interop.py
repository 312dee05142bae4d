"""Any service can read our events: consumers built on the CloudEvents SDKs, in Python and in Java
(no followthrough code), read every message of every public topic that a whole run produces, and
a binary-mode `recommendation.agreed` published by the SDK becomes a commitment in the tracker."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

import httpx
from cloudevents.core.bindings import kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from schemas.events import COMMITMENTS, DELIVERIES, DLQ, EVENT_TYPES, RECOMMENDATIONS, TOPICS
from services.common.clock import london_today
from tests.support import java_consumer
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.events import agreed_event
from tests.support.sdk_reader import Refused, sdk_read
from tests.support.topics import produce, read_all

STRUCTURED = b"application/cloudevents+json; charset=UTF-8"


def test_cloudevents_sdk_consumers_in_python_and_java_read_every_message_of_every_public_topic(
        services, database_url, smtp, stack, uid, topic):
    java_consumer.build()  # first: Maven may fetch the SDK's jars once
    intake, tracker, _ = services("intake"), services("tracker"), services("notifier")
    auth = {"Authorization": f"Bearer {issue_token(database_url)}"}
    r = httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)  # panels
    assert r.status_code == 201, r.text
    code = r.json()["access_code"]
    due = london_today() - dt.timedelta(days=5)  # overdue: commitments, notices, emails, deliveries
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=agreed_body(uid, due), headers=auth)
    assert r.status_code == 201, r.text
    reply = f"{tracker.url}/api/v1/recommendations/{r.json()['recommendation_id']}/reply"  # replies
    pulse = f"{tracker.url}/api/v1/panels/panel-{uid}/pulse"  # pulses
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and httpx.post(pulse, json={"access_code": "x", "trust": 3,
                                                                   "kept": "no"}).status_code == 404:
        time.sleep(0.3)  # the tracker has not read the panel yet
    r = httpx.post(pulse, json={"access_code": code, "trust": 4, "kept": "yes"})
    assert r.status_code == 201, r.text
    answer = {"reply": "accept", "comment": "Thank you.", "access_code": code}
    while time.monotonic() < deadline and (r := httpx.post(reply, json=answer)).status_code == 404:
        time.sleep(0.3)  # the tracker has not read the recommendation yet
    assert r.status_code == 201, r.text
    # Another team's valid CloudEvent of a type we do not know: the tracker parks it on the DLQ.
    foreign = kafka.to_structured(SdkEvent({"type": "org.example.unknown", "source": "another-team",
                                            "subject": uid}, {"hello": "world"}), JSONFormat())
    produce(stack.bootstrap, topic(RECOMMENDATIONS), uid.encode(), foreign.value, list(foreign.headers.items()))

    public = [t.name for t in TOPICS]
    deadline = time.monotonic() + 90
    while True:
        records = {t: read_all(stack.bootstrap, topic(t)) for t in public}
        counts = {t: len(rs) for t, rs in records.items()}
        # The whole run: the overdue scan's commitment.overdue may come well after commitment.opened.
        if (all(counts.values()) and counts[DELIVERIES] >= 2 and counts[COMMITMENTS] >= 2) \
                or time.monotonic() > deadline:
            break
        time.sleep(1)

    read, refused, types = Counter(), [], Counter()
    for t, rs in records.items():
        for record in rs:
            try:
                event = sdk_read(record)
            except Refused as exc:
                refused.append((t, record.partition, record.offset, str(exc)))
                continue
            read[t] += 1
            types[event.get_type()] += 1
            if event.get_source().startswith("followthrough"):  # ours, not the foreign one
                assert dict(record.headers).get("content-type") == STRUCTURED, (t, record.headers)
                assert EVENT_TYPES[event.get_type()].topic == t
                assert event.get_subject() and event.get_time() and isinstance(event.get_data(), dict)
    print(f"\nSDK consumer, per topic: {counts}; read {dict(read)}; refused {len(refused)}; types {dict(types)}")
    assert refused == [], refused[:5]
    assert {t: n for t, n in counts.items() if n == 0} == {}, "a public topic got no message in the run"
    assert dict(read) == counts
    assert types["message.rejected"] >= 1 and types["pulse.recorded"] >= 1 and types["notice.delivered"] >= 2
    assert types["recommendation.replied"] == 1
    assert types["commitment.opened"] == 1 and types["commitment.overdue"] == 1

    # The Java SDK's CloudEventDeserializer, on the same messages.
    java = java_consumer.count(stack.bootstrap, [topic(t) for t in public])
    print(f"Java CloudEventDeserializer, per topic: {java}")
    assert {t: java[topic(t)]["refused"] for t in public} == {t: 0 for t in public}, java
    assert {t: java[topic(t)]["read"] for t in public} == counts


def test_a_binary_mode_recommendation_agreed_from_the_sdk_becomes_a_commitment(services, stack, uid, topic):
    tracker = services("tracker")
    e = agreed_event(uid, london_today() + dt.timedelta(days=90))
    attributes = {k: v for k, v in e.items() if k != "data"}
    attributes["time"] = dt.datetime.fromisoformat(attributes["time"])
    message = kafka.to_binary(SdkEvent(attributes, e["data"]), JSONFormat(), key_mapper=lambda ev: ev.get_subject())
    assert "ce_specversion" in message.headers and b"specversion" not in message.value  # binary content mode
    produce(stack.bootstrap, topic(RECOMMENDATIONS), message.key.encode(), message.value,
            list(message.headers.items()))

    commitment_id = e["data"]["commitment"]["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}")
        if r.status_code == 200:
            break
        time.sleep(0.3)
    dlq = [json.loads(m.value)["data"]["reason"] for m in read_all(stack.bootstrap, topic(DLQ))]
    assert r.status_code == 200, f"the binary-mode event did not become a commitment; DLQ: {dlq}"
    assert r.json()["status"] == "open" and r.json()["recommendation_id"] == e["data"]["recommendation"]["id"]
    opened = [sdk_read(m) for m in read_all(stack.bootstrap, topic(COMMITMENTS))]
    assert [ev.get_type() for ev in opened if ev.get_subject() == commitment_id] == ["commitment.opened"]
