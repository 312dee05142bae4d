"""The delivery body is a structured CloudEvent with the public view of the data; the headers are
Standard Webhooks'."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from services.webhooks.domain.payload import CONTENT_TYPE, cloudevent_body, delivery_headers

ENVELOPE = {
    "specversion": "1.0", "id": "5b0c6c9e-8f5e-4c33-9d3c-0d5f8a2f3c11", "source": "urn:followthrough:tracker",
    "type": "commitment.updated", "subject": "c-1", "time": "2026-03-01T09:00:00+00:00",
    "datacontenttype": "application/json", "dataschema": "urn:followthrough:schema:commitment.updated:v1",
}


def test_structured_mode_body_with_the_public_view():
    data = {"commitment": {"owner": {"role": "Inspector", "email": "o@police.example.uk"}, "title": "Café"}}
    body = cloudevent_body({**ENVELOPE, "data": {"ignored": True}}, data)
    assert b"@" not in body and "Café".encode() in body  # UTF-8, not \u escapes
    assert b": " not in body and b", " not in body  # compact
    doc = json.loads(body)
    assert {k: v for k, v in doc.items() if k != "data"} == ENVELOPE
    assert doc["data"] == {"commitment": {"owner": {"role": "Inspector"}, "title": "Café"}}
    assert list(doc)[-1] == "data"
    assert data["commitment"]["owner"]["email"] == "o@police.example.uk"  # not mutated


def test_python_values_in_the_envelope_are_written_as_json():
    event_id = uuid.uuid4()
    envelope = {"specversion": "1.0", "id": event_id, "time": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
                "source": "s", "type": "t", "extension": "mail x@y.org"}
    doc = json.loads(cloudevent_body(envelope, {}))
    assert doc["id"] == str(event_id) and doc["time"] == "2026-03-01T00:00:00+00:00"
    assert doc["datacontenttype"] == "application/json" and doc["extension"] == "mail [email removed]"


def test_headers():
    at = dt.datetime(2026, 3, 1, 9, 0, 0, 500000, tzinfo=dt.timezone.utc)
    headers = delivery_headers("5b0c", at, "v1,abc")
    assert headers["webhook-id"] == "5b0c" and headers["webhook-signature"] == "v1,abc"
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert headers["content-type"] == CONTENT_TYPE
    assert headers["user-agent"].startswith("followthrough-webhooks/")
