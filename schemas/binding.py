"""How an event sits in a Kafka message: the CloudEvents Kafka protocol binding (v1.0).

We publish in structured content mode: the whole event as JSON in the value, and the Kafka
header `content-type: application/cloudevents+json; charset=UTF-8` (`HEADERS`).

We read both content modes, through the `cloudevents` SDK's Kafka binding:
- structured: the `content-type` header starts with `application/cloudevents`;
- binary: a `ce_specversion` header (the attributes in `ce_*` headers, `data` in the value,
  `datacontenttype` in `content-type`), as another team's CloudEvents SDK may publish them;
- messages published before the header existed carry no header: a value that is a JSON object
  with `specversion` is read as structured.
Anything else is in neither mode and raises InvalidEvent saying why (the consumer parks it in the DLQ).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from cloudevents.core.bindings import kafka
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent
from pydantic import BaseModel

from schemas.envelope import CloudEvent, InvalidEvent, validate_document

CONTENT_TYPE = "content-type"
STRUCTURED = "application/cloudevents+json; charset=UTF-8"
# The same bytes on every message we publish, so a re-sent outbox row is the same message.
HEADERS: tuple[tuple[str, bytes], ...] = ((CONTENT_TYPE, STRUCTURED.encode()),)

Mode = Literal["structured", "binary"]
Headers = Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | None] | None

_FORMAT = JSONFormat()
_NEITHER = "neither structured nor binary CloudEvents mode"


def read_message(value: bytes | None, headers: Headers, *, topic: str | None = None) -> tuple[CloudEvent, BaseModel]:
    """Decode one Kafka message in either content mode and validate it against its type's model."""
    found = _headers(headers)
    mode = content_mode(value, found)
    message = kafka.KafkaMessage(headers=found, key=None, value=value or b"")  # the key is no attribute of ours
    try:
        if mode == "structured":
            event = kafka.from_structured(message, _FORMAT, _strict)
        else:
            event = kafka.from_binary(message, _FORMAT, _strict)
    except InvalidEvent:
        raise
    except BaseCloudEventException as exc:
        raise InvalidEvent(f"bad CloudEvents envelope ({mode} mode): {str(exc).split(':: ')[-1]}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON ({mode} mode): {exc}") from None
    except RecursionError:
        raise InvalidEvent("not JSON: nested too deeply") from None
    except (AttributeError, TypeError):  # the SDK reads `.get` of what it decoded
        raise InvalidEvent(f"not a JSON object ({mode} mode)") from None
    except ValueError as exc:  # an unreadable `time`
        raise InvalidEvent(f"bad CloudEvents envelope ({mode} mode): {exc}") from None
    return validate_document({**event.get_attributes(), "data": event.get_data()}, topic=topic)


def content_mode(value: bytes | None, headers: Mapping[str, bytes]) -> Mode:
    """Which content mode a message is in, from its headers (and, without any, its value)."""
    content_type = headers.get(CONTENT_TYPE, b"").decode("latin-1").strip().lower()
    if content_type.startswith("application/cloudevents"):
        if not content_type.startswith("application/cloudevents+json"):
            raise InvalidEvent(f"structured CloudEvents mode in a format we do not read: {content_type!r}"
                               " (publish application/cloudevents+json)")
        return "structured"
    if "ce_specversion" in headers:
        return "binary"
    if content_type:
        raise InvalidEvent(f"{_NEITHER}: content-type {content_type!r} and no ce_specversion header")
    if value is not None and value.lstrip().startswith(b"{") and b'"specversion"' in value:
        return "structured"  # from before the header: the SDK parses it and says what is wrong, if anything
    raise InvalidEvent(f"{_NEITHER}: no content-type or ce_specversion header, and the value is not JSON"
                       " with specversion")


def _headers(headers: Headers) -> dict[str, bytes]:
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    return {name.lower(): value or b"" for name, value in items}


def _strict(attributes: dict[str, Any], data: Any) -> SdkEvent:
    """The SDK's v1.0 event, but refusing what it would otherwise make up: a missing `id` or `time`."""
    for name in ("id", "time"):
        if name not in attributes:
            raise InvalidEvent(f"bad CloudEvents envelope: {name}: Field required")
    return SdkEvent(attributes, data)
