"""CloudEvents 1.0 structured-mode JSON envelope around every event."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.events import EVENT_TYPES

SCHEMA_URN = "urn:followthrough:schema:{type}:v1"


class InvalidEvent(ValueError):
    """A message that is not a valid followthrough event; the text says why."""


class CloudEvent(BaseModel):
    # Extension attributes (CloudEvents 1.0 allows any) are ignored, as unknown `data` fields are.
    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID
    source: str = Field(min_length=1)
    type: str
    time: dt.datetime
    subject: str = Field(min_length=1)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    data: dict[str, Any]


def make_event(
    event_type: str,
    subject: str,
    data: BaseModel,
    *,
    source: str,
    event_id: uuid.UUID | None = None,
    time: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the JSON-ready envelope; `data` must be the type's model."""
    spec = EVENT_TYPES[event_type]
    if not isinstance(data, spec.data):
        raise TypeError(f"{event_type} carries {spec.data.__name__}, not {type(data).__name__}")
    return {
        "specversion": "1.0",
        "id": str(event_id or uuid.uuid4()),
        "source": source,
        "type": event_type,
        "time": (time or dt.datetime.now(dt.timezone.utc)).isoformat(),
        "subject": subject,
        "datacontenttype": "application/json",
        "dataschema": SCHEMA_URN.format(type=event_type),
        "data": data.model_dump(mode="json"),
    }


def parse_event(raw: bytes, *, topic: str | None = None) -> tuple[CloudEvent, BaseModel]:
    """Parse and validate one structured-mode JSON event; raise InvalidEvent naming what is wrong.

    Kafka messages are read with `schemas.binding.read_message`, which also reads the headers."""
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    except TypeError:  # a tombstone: a key with no value
        raise InvalidEvent("not JSON: the message has no value") from None
    except RecursionError:
        raise InvalidEvent("not JSON: nested too deeply") from None
    return validate_document(doc, topic=topic)


def validate_document(doc: Any, *, topic: str | None = None) -> tuple[CloudEvent, BaseModel]:
    """Validate an event already decoded to attributes and `data`; raise InvalidEvent naming what is wrong."""
    if not isinstance(doc, dict):
        raise InvalidEvent("not a JSON object")
    try:
        envelope = CloudEvent.model_validate(doc)
    except ValidationError as exc:
        raise InvalidEvent(f"bad CloudEvents envelope: {_first_error(exc)}") from None
    spec = EVENT_TYPES.get(envelope.type)
    if spec is None:
        raise InvalidEvent(f"unknown event type {envelope.type!r}")
    if topic is not None and spec.topic != topic:
        raise InvalidEvent(f"{envelope.type} does not belong on {topic}")
    try:
        data = spec.data.model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidEvent(f"bad data for {envelope.type}: {_first_error(exc)}") from None
    return envelope, data


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(root)"
    return f"{where}: {err['msg']}"
