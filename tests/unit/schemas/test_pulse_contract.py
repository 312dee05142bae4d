"""`pulse.recorded` on `followthrough.pulses` (contract §5): counts only, never on the compacted panels topic."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from schemas import EVENT_TYPES, TOPICS, make_event
from schemas.models import PulseKept, PulseRecorded

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def test_the_pulse_has_its_own_topic_which_is_not_compacted():
    spec = EVENT_TYPES["pulse.recorded"]
    assert spec.topic == "followthrough.pulses" and spec.data is PulseRecorded
    (topic,) = [t for t in TOPICS if t.name == "followthrough.pulses"]
    assert not topic.compacted


def test_a_pulse_event_validates_and_carries_counts_only():
    full = PulseRecorded(panel="wf", period="2026-11", answers=5, trust=[0, 1, 2, 1, 1],
                         kept=PulseKept(yes=3, no=1, not_sure=1))
    early = PulseRecorded(panel="wf", period="2026-11", answers=4)
    schema = json.loads((SCHEMAS / "json" / "pulse.recorded.json").read_text())
    for data in (full, early):
        jsonschema.validate(make_event("pulse.recorded", "wf", data, source="test"), schema)
    assert early.trust is None and early.kept is None
    for wrong in ({"access_code": "x"}, {"answer": {"trust": 3}}, {"comment": "my name"}):
        # Unknown fields are ignored (readers in a rolling upgrade), so they never reach the event either.
        event = make_event("pulse.recorded", "wf", PulseRecorded(panel="wf", period="2026-11", answers=5, **wrong),
                           source="test")
        expected = {"panel", "period", "answers", "counted", "min_answers", "trust", "kept"}
        assert set(event["data"]) == expected, event["data"]
    with pytest.raises(ValidationError):
        PulseRecorded(panel="wf", period="2026-13", answers=1)
    with pytest.raises(ValidationError):
        PulseRecorded(panel="wf", period="2026-11", answers=5, trust=[1, 1, 1, 1])
