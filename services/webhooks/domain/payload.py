"""The body and headers of one delivery: a structured-mode CloudEvent (CloudEvents JSON format) holding
the event's public view, under the Standard Webhooks headers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from typing import Any, Mapping

from schemas.publicview import public_view
from services.webhooks.domain.signing import unix_seconds

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def cloudevent_body(envelope: Mapping[str, Any], data: Any) -> bytes:
    """The event's attributes with `data` as its public view, as compact UTF-8 JSON.

    The attributes go through the public view too: `data` is where staff emails live, but the promise is
    that no "@" reaches a receiver, and an extension attribute is no exception."""
    attributes = {key: value for key, value in envelope.items() if key not in ("data", "data_base64")}
    attributes.setdefault("datacontenttype", "application/json")
    document = public_view({**attributes, "data": data})
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_json_value).encode("utf-8")


def delivery_headers(msg_id: str, timestamp: dt.datetime, signature: str) -> dict[str, str]:
    """The Standard Webhooks headers; `msg_id` is the same on every retry, so a receiver drops repeats."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(unix_seconds(timestamp)),
        "webhook-signature": signature,
        "content-type": CONTENT_TYPE,
        "user-agent": user_agent(),
    }


@functools.cache
def user_agent() -> str:
    from services.version import installed  # read once: the installed release does not change under us

    return f"followthrough-webhooks/{installed()}"


def _json_value(value: Any) -> str:
    """Attributes given as Python values (a datetime, a UUID) rather than their JSON form."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"the event attribute value {value!r} ({type(value).__name__}) is not JSON")
