"""The compatibility rule (docs/upgrading.md): within a `dataschema` version a reader ignores
fields and extension attributes it does not know, in our models and in the published JSON
Schemas alike, and still refuses everything else. The policy file stays strict."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from schemas import InvalidEvent, parse_event
from schemas.binding import HEADERS, read_message
from schemas.policy import PolicyFile
from tests.support.generations import PREVIOUS as SAMPLES
from tests.support.generations import next_release

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
OLD = [e for events in SAMPLES.values() for e in events["old"]]
NEXT = [next_release(e) for events in SAMPLES.values() for e in events["base"]]


def _schema(event_type: str) -> dict:
    return json.loads((SCHEMAS / "json" / f"{event_type}.json").read_text())


@pytest.mark.parametrize("event", OLD + NEXT, ids=lambda e: f"{e['type']}{'+next' if 'traceparent' in e else ''}")
def test_the_previous_and_the_next_release_are_read_and_validate(event):
    envelope, data = parse_event(json.dumps(event).encode())
    known = {k: v for k, v in event["data"].items() if k != "added_later"}
    assert envelope.id.hex == event["id"].replace("-", "") and "added_later" not in data.model_dump()
    assert set(data.model_dump(mode="json")) == set(known)
    read_message(json.dumps(event).encode(), list(HEADERS))
    jsonschema.validate(event, _schema(event["type"]), format_checker=jsonschema.FormatChecker())


def test_a_binary_mode_message_with_an_extension_header_is_read():
    event = next_release(SAMPLES["tracker"]["base"][0])
    headers = [(f"ce_{k}", str(v).encode()) for k, v in event.items() if k not in ("data", "datacontenttype")]
    envelope, data = read_message(json.dumps(event["data"]).encode(), headers + [("content-type", b"application/json")])
    assert envelope.type == "panel.registered" and data.panel.slug == "rolling-base"


def _without(doc: dict, *path: str) -> dict:
    doc = json.loads(json.dumps(doc))
    *parents, last = path
    inner = doc
    for p in parents:
        inner = inner[p]
    del inner[last]
    return doc


def _with(doc: dict, value, *path: str) -> dict:
    doc = json.loads(json.dumps(doc))
    *parents, last = path
    inner = doc
    for p in parents:
        inner = inner[p]
    inner[last] = value
    return doc


@pytest.mark.parametrize("wrong, reason", [
    (lambda e: _without(e, "data", "panel", "area"), "panel.area: Field required"),
    (lambda e: _with(e, 42, "data", "panel", "name"), "panel.name: Input should be a valid string"),
    (lambda e: _with(e, "not-an-email", "data", "panel", "police_lead", "email"), "police_lead.email"),
    (lambda e: _with(e, "ABC", "data", "panel", "access_code_sha256"), "access_code_sha256"),
    (lambda e: _without(e, "id"), "id: Field required"),
    (lambda e: _with(e, "2.0", "specversion"), "specversion"),
])
def test_everything_but_an_unknown_field_is_still_refused(wrong, reason):
    event = wrong(next_release(SAMPLES["tracker"]["base"][0]))
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(json.dumps(event).encode())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, _schema("panel.registered"), format_checker=jsonschema.FormatChecker())


def test_the_policy_file_stays_strict():
    with pytest.raises(ValueError, match="escalate_after_day"):
        PolicyFile.model_validate({"default": {"escalate_after_day": [7, 14]}})
