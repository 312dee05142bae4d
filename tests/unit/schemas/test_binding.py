"""The CloudEvents Kafka binding: what we publish, and the two content modes we read."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from cloudevents.core.bindings import kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from schemas import InvalidEvent
from schemas.binding import HEADERS, content_mode, read_message
from tests.support.events import agreed_event

RECS = "followthrough.recommendations"


def _event() -> dict:
    return agreed_event("binding", dt.date(2027, 1, 1))


def _sdk_event(e: dict) -> SdkEvent:
    attributes = {k: v for k, v in e.items() if k != "data"}
    attributes["time"] = dt.datetime.fromisoformat(attributes["time"])
    return SdkEvent(attributes, e["data"])


def test_what_we_publish_is_what_the_sdk_reads_as_structured_mode():
    e = _event()
    message = kafka.KafkaMessage(headers=dict(HEADERS), key=e["subject"].encode(), value=json.dumps(e).encode())
    sdk = kafka.from_kafka(message, JSONFormat())  # another team's reader
    assert sdk.get_id() == e["id"] and sdk.get_type() == "recommendation.agreed" and sdk.get_data() == e["data"]
    assert dict(HEADERS) == {"content-type": b"application/cloudevents+json; charset=UTF-8"}
    envelope, data = read_message(message.value, HEADERS, topic=RECS)
    assert str(envelope.id) == e["id"] and type(data).__name__ == "RecommendationAgreed"


def test_a_message_from_before_the_header_is_still_read_as_structured():
    e = _event()
    assert content_mode(json.dumps(e).encode(), {}) == "structured"
    envelope, _ = read_message(json.dumps(e).encode(), [], topic=RECS)
    assert str(envelope.id) == e["id"]


def test_a_binary_mode_message_from_the_sdk_is_read():
    e = _event()
    message = kafka.to_binary(_sdk_event(e), JSONFormat())
    assert "ce_specversion" in message.headers and message.headers["content-type"] == b"application/json"
    headers = list(message.headers.items())
    assert content_mode(message.value, dict(headers)) == "binary"
    envelope, data = read_message(message.value, headers, topic=RECS)
    assert str(envelope.id) == e["id"] and envelope.subject == e["subject"]
    assert envelope.dataschema == e["dataschema"] and data.commitment.id == uuid.UUID(e["data"]["commitment"]["id"])


@pytest.mark.parametrize(("value", "headers", "reason"), [
    (b"garbage \xff", [], "neither structured nor binary CloudEvents mode: no content-type or ce_specversion "
                          "header, and the value is not JSON with specversion"),
    (b'{"hello": 1}', [], "not JSON with specversion"),
    (None, [], "not JSON with specversion"),
    (b'{"specversion": "1.0", broken', [], "not JSON (structured mode)"),
    (b"{}", [("content-type", b"text/plain")], "content-type 'text/plain' and no ce_specversion header"),
    (b"{}", [("content-type", b"application/cloudevents+avro")], "a format we do not read"),
    (b"not json", list(HEADERS), "not JSON (structured mode)"),
    (b"[1, 2]", list(HEADERS), "not a JSON object"),
    (b'{"specversion": "1.0", "source": "x", "type": "recommendation.agreed", "time": "2026-01-01T00:00:00Z"}',
     list(HEADERS), "id: Field required"),  # the SDK would make one up
    (b"{}", [("ce_specversion", b"1.0"), ("ce_type", b"recommendation.agreed")], "bad CloudEvents envelope"),
])
def test_a_message_in_neither_mode_or_broken_names_why(value, headers, reason):
    with pytest.raises(InvalidEvent) as exc:
        read_message(value, headers, topic=RECS)
    assert reason in str(exc.value)


def test_a_binary_message_of_the_wrong_topic_or_data_is_refused():
    e = _event()
    message = kafka.to_binary(_sdk_event(e), JSONFormat())
    with pytest.raises(InvalidEvent, match="does not belong on"):
        read_message(message.value, message.headers, topic="followthrough.notices")
    broken = kafka.to_binary(_sdk_event({**e, "data": {"recommendation": {}}}), JSONFormat())
    with pytest.raises(InvalidEvent, match="bad data for recommendation.agreed"):
        read_message(broken.value, broken.headers, topic=RECS)
