"""Generate the committed JSON Schema and AsyncAPI files from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from schemas.binding import STRUCTURED
from schemas.envelope import SCHEMA_URN
from schemas.events import EVENT_TYPES, TOPICS

HERE = Path(__file__).parent


def event_schema(event_type: str) -> dict[str, Any]:
    spec = EVENT_TYPES[event_type]
    data = spec.data.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs = data.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URN.format(type=event_type),
        "title": event_type,
        "description": spec.summary,
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "subject",
                     "datacontenttype", "dataschema", "data"],
        "additionalProperties": True,  # extension attributes; readers ignore what they do not know
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"type": "string", "minLength": 1},
            "type": {"const": event_type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "minLength": 1},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"const": SCHEMA_URN.format(type=event_type)},
            "data": data,
        },
        "$defs": defs,
    }


DESCRIPTION = (
    "CloudEvents 1.0 on Kafka, in the structured content mode of the CloudEvents Kafka protocol binding: "
    f"the whole event is the JSON value and every message carries the Kafka header `content-type: {STRUCTURED}`. "
    "The key is the subject, the id the dedup key. Our consumers also read binary content mode "
    "(attributes in `ce_*` headers, `data` in the value), so another service may publish "
    "`recommendation.agreed` from any CloudEvents SDK.")

# The Kafka headers of every message we publish (structured content mode).
HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["content-type"],
    "properties": {
        "content-type": {
            "type": "string", "const": STRUCTURED,
            "description": "CloudEvents structured content mode (Kafka protocol binding, section 3.2)",
        },
    },
}


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        types = [t for t, s in EVENT_TYPES.items() if s.topic == topic.name]
        channel_id = topic.name.replace(".", "_")
        channels[channel_id] = {
            "address": topic.name,
            "description": topic.description,
            "bindings": {"kafka": {"partitions": topic.partitions,
                                   "topicConfiguration": {
                                       "cleanup.policy": ["compact" if topic.compacted else "delete"]}}},
            "messages": {t.replace(".", "_"): {"$ref": f"#/components/messages/{t.replace('.', '_')}"} for t in types},
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
        }
        for t in types:
            messages[t.replace(".", "_")] = {
                "name": t,
                "summary": EVENT_TYPES[t].summary,
                "contentType": "application/cloudevents+json",
                "headers": {"$ref": "#/components/schemas/StructuredModeHeaders"},
                "bindings": {"kafka": {"key": {"type": "string", "description": "the event subject"},
                                       "bindingVersion": "0.5.0"}},
                "payload": {"$ref": f"./json/{t}.json"},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "followthrough events", "version": "1.0.0",
                 "description": DESCRIPTION},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"StructuredModeHeaders": HEADERS}, "messages": messages},
    }


def rendered() -> dict[str, str]:
    """Every generated file, path relative to schemas/ -> text."""
    files = {f"json/{t}.json": json.dumps(event_schema(t), indent=2, sort_keys=True) + "\n" for t in EVENT_TYPES}
    files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(), sort_keys=False, width=100)
    return files


def export(target: Path = HERE) -> list[Path]:
    written = []
    for rel, text in rendered().items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
