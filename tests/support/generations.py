"""Events of two releases around this one, for the rolling-upgrade tests: the previous release's,
recorded (`ce656fd_events.json`, made by `old_events.py`), and a next release's, which adds what
this release does not know within the same `dataschema` version."""

from __future__ import annotations

import copy
import json
from pathlib import Path

PREVIOUS = json.loads((Path(__file__).parent / "ce656fd_events.json").read_text())
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def next_release(event: dict) -> dict:
    """The event as a next release's producer makes it: an extension attribute, and optional fields
    added to `data` at the top and inside its first object."""
    later = copy.deepcopy(event)
    later["traceparent"] = TRACEPARENT  # W3C trace context, a CloudEvents extension
    nested = next((v for v in later["data"].values() if isinstance(v, dict)), None)
    if nested is not None:
        nested["also_added_later"] = ["inside", "an object"]
    later["data"]["added_later"] = {"why": "a field this release does not know", "since": "v1, optional"}
    return later
