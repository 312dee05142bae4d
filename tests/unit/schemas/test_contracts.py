"""The committed JSON Schema and AsyncAPI files are exactly what the models generate,
and events built by the models validate against them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
import yaml

from schemas import (
    EVENT_TYPES,
    CommitmentTerms,
    Escalation,
    InvalidEvent,
    Owner,
    Recommendation,
    RecommendationAgreed,
    make_event,
    parse_event,
)
from schemas.export import rendered

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


@pytest.mark.parametrize("rel", sorted(rendered()))
def test_committed_file_matches_the_models(rel):
    committed = SCHEMAS / rel
    assert committed.exists(), f"{rel} is missing: run `followthrough schemas export`"
    assert committed.read_text() == rendered()[rel], \
        f"{rel} differs from the models: run `followthrough schemas export`"


def test_every_event_type_has_a_schema_and_an_asyncapi_message():
    doc = yaml.safe_load((SCHEMAS / "asyncapi.yaml").read_text())
    assert doc["asyncapi"].startswith("3.")
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == set(EVENT_TYPES)
    addresses = {c["address"] for c in doc["channels"].values()}
    assert "followthrough.dlq" in addresses and "followthrough.panels" in addresses


def _agreed() -> RecommendationAgreed:
    rec = Recommendation(id=uuid.uuid4(), panel="wf", raised_on=dt.date(2026, 1, 5), title="Explain stops",
                         detail="", themes=["respect"])
    terms = CommitmentTerms(
        id=uuid.uuid4(), action="Brief officers", done_means="All briefed",
        owner=Owner(role="Inspector", email="o@example.org"),
        escalation=Escalation(supervisor="s@example.org", senior_lead="l@example.org", board="b@example.org"),
        agreed_on=dt.date(2026, 1, 6), due=dt.date(2026, 3, 1), update_every_days=30)
    return RecommendationAgreed(recommendation=rec, commitment=terms)


def test_a_built_event_validates_against_its_committed_schema():
    event = make_event("recommendation.agreed", "r1", _agreed(), source="test")
    schema = json.loads((SCHEMAS / "json" / "recommendation.agreed.json").read_text())
    jsonschema.validate(event, schema, format_checker=jsonschema.FormatChecker())
    wrong = {**event, "data": {**event["data"], "commitment": {**event["data"]["commitment"], "due": None}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, schema)


def test_parse_event_round_trips_and_names_what_is_wrong():
    original = _agreed()
    event = make_event("recommendation.agreed", "r1", original, source="test")
    envelope, data = parse_event(json.dumps(event).encode(), topic="followthrough.recommendations")
    assert envelope.type == "recommendation.agreed" and data == original
    with pytest.raises(InvalidEvent, match="not JSON"):
        parse_event(b"\xff\x00garbage")
    with pytest.raises(InvalidEvent, match="unknown event type"):
        parse_event(json.dumps({**event, "type": "recommendation.eaten"}).encode())
    with pytest.raises(InvalidEvent, match="does not belong on"):
        parse_event(json.dumps(event).encode(), topic="followthrough.notices")
    broken = {**event, "data": {"recommendation": event["data"]["recommendation"]}}
    with pytest.raises(InvalidEvent, match="commitment"):
        parse_event(json.dumps(broken).encode())
