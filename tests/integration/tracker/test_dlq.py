"""A malformed message goes to the DLQ with its reason; the tracker carries on."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid

import httpx
from kafka import KafkaProducer

from tests.support.events import agreed_event
from tests.support.topics import produce, read


def test_malformed_message_lands_on_the_dlq_and_the_next_good_one_is_processed(services, stack, uid, topic):
    tracker = services("tracker")
    garbage = f"not json at all {uid}".encode() + b"\xff"
    wrong_schema = json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "type": "recommendation.agreed",
                               "note": uid}).encode()
    produce(stack.bootstrap, topic("followthrough.recommendations"), uid.encode(), garbage)
    produce(stack.bootstrap, topic("followthrough.recommendations"), uid.encode(), wrong_schema)
    good = agreed_event(uid, dt.date.today() + dt.timedelta(days=90))
    produce(stack.bootstrap, topic("followthrough.recommendations"), good["subject"].encode(),
            json.dumps(good).encode())

    rejected = read(stack.bootstrap, topic("followthrough.dlq"),
                    where=lambda e: uid.encode() in base64.b64decode(e["data"]["raw"]),
                    until=lambda found: len(found) >= 2, timeout=30)
    assert len(rejected) == 2
    by_raw = {base64.b64decode(e["data"]["raw"]): e for e in rejected}
    assert by_raw[garbage]["type"] == "message.rejected"
    assert by_raw[garbage]["data"]["topic"] == topic("followthrough.recommendations")
    assert "not JSON" in by_raw[garbage]["data"]["reason"]
    assert by_raw[garbage]["data"]["offset"] >= 0
    assert "envelope" in by_raw[wrong_schema]["data"]["reason"]

    commitment_id = good["data"]["commitment"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}")
        if r.status_code == 200:
            break
        time.sleep(0.2)
    assert r.status_code == 200, "the good message after the bad ones was not processed"
    assert r.json()["status"] == "open"
    assert "@" not in r.text  # public reads show no email addresses


def test_a_message_rejected_again_after_a_crash_is_the_same_dlq_event(services, stack, uid, topic):
    """kill -9 between the DLQ write and the offset commit: the restarted tracker rejects the
    same message again, and the two DLQ events carry one id, so a reader can drop the repeat."""
    # Commit offsets only once a minute, so the kill surely falls before the commit.
    tracker = services("tracker", FOLLOWTHROUGH_COMMIT_INTERVAL="60")
    garbage = f"malformed {uid}".encode()
    produce(stack.bootstrap, topic("followthrough.recommendations"), uid.encode(), garbage)

    def ours(e):
        return base64.b64decode(e["data"]["raw"]) == garbage

    first = read(stack.bootstrap, topic("followthrough.dlq"), where=ours, until=lambda f: len(f) >= 1, timeout=30)
    assert len(first) == 1
    tracker.kill()
    tracker.start()
    both = read(stack.bootstrap, topic("followthrough.dlq"), where=ours, until=lambda f: len(f) >= 2, timeout=45)
    assert len(both) == 2, "the restarted tracker did not read the uncommitted message again"
    assert both[0]["id"] == both[1]["id"] and both[0]["source"] == both[1]["source"] == "followthrough/tracker"
    assert {(e["data"]["partition"], e["data"]["offset"]) for e in both} == {(first[0]["data"]["partition"],
                                                                            first[0]["data"]["offset"])}


def test_a_message_too_large_for_the_dlq_is_parked_cut_short_and_the_next_one_is_applied(
        services, stack, uid, topic):
    """Base64 makes a 900 KB message too large for a DLQ event; the write used to fail, the error
    escaped the consumer loop and faust acked the message: neither applied nor parked."""
    tracker = services("tracker")
    big = f"not an event {uid} ".encode() + b"x" * 900_000
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", max_request_size=2_000_000)
    producer.send(topic("followthrough.recommendations"), key=uid.encode(), value=big).get(timeout=10)
    producer.close()
    good = agreed_event(uid, dt.date.today() + dt.timedelta(days=90))
    produce(stack.bootstrap, topic("followthrough.recommendations"), good["subject"].encode(),
            json.dumps(good).encode())

    (parked,) = read(stack.bootstrap, topic("followthrough.dlq"),
                     where=lambda e: base64.b64decode(e["data"]["raw"]).startswith(f"not an event {uid}".encode()),
                     until=lambda found: len(found) >= 1, timeout=30)
    assert len(base64.b64decode(parked["data"]["raw"])) == 64 * 1024
    assert "cut to its first 65536 of" in parked["data"]["reason"] and "not JSON" in parked["data"]["reason"]
    commitment_id = good["data"]["commitment"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}").status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError("the good message after the oversized one was not applied")


def test_a_message_in_neither_content_mode_goes_to_the_dlq_with_the_reason(services, stack, uid, topic):
    """A valid event whose headers say it is neither structured (content-type application/cloudevents…)
    nor binary (ce_specversion) mode is not guessed at: it is parked with the reason."""
    tracker = services("tracker")
    event = agreed_event(uid, dt.date.today() + dt.timedelta(days=90))
    produce(stack.bootstrap, topic("followthrough.recommendations"), event["subject"].encode(),
            json.dumps(event).encode(), [("content-type", b"application/json")])
    (parked,) = read(stack.bootstrap, topic("followthrough.dlq"),
                     where=lambda e: uid.encode() in base64.b64decode(e["data"]["raw"]),
                     until=lambda found: len(found) >= 1, timeout=30)
    assert parked["data"]["reason"] == ("neither structured nor binary CloudEvents mode: content-type "
                                        "'application/json' and no ce_specversion header")
    r = httpx.get(f"{tracker.url}/api/v1/commitments/{event['data']['commitment']['id']}")
    assert r.status_code == 404


def test_a_binary_mode_message_that_fails_validation_keeps_its_headers_in_the_dlq(services, stack, uid, topic):
    """In binary mode the attributes are in `ce_*` headers and the value is only the data: the DLQ
    event carries every header, in order (a value that is not UTF-8 text, or has control characters,
    as base64), so the original message can be rebuilt from it."""
    services("tracker")
    event = agreed_event(uid, dt.date.today() + dt.timedelta(days=90))
    del event["data"]["commitment"]["owner"]  # the data fails validation
    headers = [(f"ce_{k}", str(v).encode()) for k, v in event.items() if k not in ("data", "datacontenttype")]
    headers += [("content-type", b"application/json"), ("x-trace", b"\x00\x01" + uid.encode())]
    produce(stack.bootstrap, topic("followthrough.recommendations"), event["subject"].encode(),
            json.dumps(event["data"]).encode(), headers)

    (parked,) = read(stack.bootstrap, topic("followthrough.dlq"),
                     where=lambda e: uid.encode() in base64.b64decode(e["data"]["raw"]),
                     until=lambda found: len(found) >= 1, timeout=30)
    assert "owner" in parked["data"]["reason"]
    kept = parked["data"]["headers"]
    assert [h["name"] for h in kept] == [name for name, _ in headers]
    rebuilt = [(h["name"], base64.b64decode(h["value"]) if h["encoding"] == "base64" else h["value"].encode())
               for h in kept]
    assert rebuilt == headers
    assert {h["name"]: h["value"] for h in kept}["ce_type"] == "recommendation.agreed"
    assert [h["encoding"] for h in kept if h["name"] == "x-trace"] == ["base64"]
