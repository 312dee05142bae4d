"""A malformed message goes to the DLQ with its reason; the tracker carries on."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid

import httpx

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
    produce(stack.bootstrap, topic("followthrough.recommendations"), good["subject"].encode(), json.dumps(good).encode())

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
