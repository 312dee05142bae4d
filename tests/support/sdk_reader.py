"""A consumer as another team would write it on the CloudEvents Python SDK, no followthrough code:
the content mode comes from the Kafka headers, as the CloudEvents Kafka protocol binding says
(and as the Java SDK's CloudEventDeserializer decides it)."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings import kafka
from cloudevents.core.formats.json import JSONFormat


class Refused(Exception):
    """The SDK reader could not read the message."""


def sdk_read(record) -> BaseCloudEvent:
    """One kafka-python record to a CloudEvent, or Refused saying why."""
    headers = {name.lower(): value or b"" for name, value in record.headers or ()}
    message = kafka.KafkaMessage(headers=headers, key=None, value=record.value or b"")
    content_type = headers.get("content-type", b"").decode("latin-1")
    try:
        if content_type.startswith("application/cloudevents"):
            return kafka.from_structured(message, JSONFormat())
        if "ce_specversion" in headers:
            return kafka.from_binary(message, JSONFormat())
    except Exception as exc:
        raise Refused(f"{type(exc).__name__}: {exc}") from None
    raise Refused(f"unknown encoding: content-type {content_type or None!r} and no ce_specversion header")
