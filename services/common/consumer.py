"""The loop every faust agent runs: parse, hand over, commit; bad messages to
the DLQ, transient failures retried in place. Messages are read in either
CloudEvents content mode (`schemas.binding`); DLQ events are published in
structured mode with its `content-type` header, like every other event.

faust acks a message whose agent raised, so nothing may escape this loop:
a message is either handled, or in the DLQ with the reason.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any, Callable

import structlog
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential

from schemas import InvalidEvent, MessageRejected, make_event
from schemas.binding import HEADERS, Headers, read_message
from schemas.envelope import CloudEvent
from schemas.models import RejectedHeader
from services.common.clock import SYSTEM

log = structlog.get_logger()

CONSUMED = Counter("followthrough_events_consumed_total", "Events handled by a consumer", ["service", "topic", "type"])
REJECTED = Counter("followthrough_dlq_messages_total", "Messages sent to the DLQ", ["service", "topic"])


class Rejected(Exception):
    """The message is well-formed but cannot be applied (for example an unknown panel)."""


BatchHandler = Callable[[list[tuple[CloudEvent, BaseModel]]], None]


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


async def consume(stream, *, service: str, topic: str, handle_many: BatchHandler, dlq_topic,
                  batch: int = 2000, within: float = 0.25) -> None:
    """Drive `stream` (a faust stream of raw bytes) through `handle_many`, run in a thread.

    Messages are taken in batches and applied in one transaction; if a batch
    fails for a reason other than a passing database fault, its messages are
    applied one by one so that only the bad one goes to the DLQ."""
    async for events in stream.take_events(batch, within):
        good = []
        for event in events:
            try:
                envelope, data = read_message(event.message.value, event.message.headers, topic=topic)
            except InvalidEvent as exc:
                await reject(dlq_topic, service, event.message, str(exc))
                continue
            except Exception as exc:  # a parser bug must not stop the stream or drop the message
                log.exception("consumer.parse_failed", service=service, topic=topic)
                await reject(dlq_topic, service, event.message, f"unreadable: {short_reason(exc)}")
                continue
            good.append((event.message, envelope, data))
        if good:
            await _apply(good, service, topic, handle_many, dlq_topic)


async def _apply(items: list, service: str, topic: str, handle_many: BatchHandler, dlq_topic) -> None:
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential(multiplier=0.2, max=15),
            before_sleep=lambda rs: log.warning("consumer.retrying", service=service, events=len(items),
                                                error=str(rs.outcome.exception())),
            reraise=True,
        ):
            with attempt:
                await asyncio.to_thread(handle_many, [(envelope, data) for _, envelope, data in items])
    except Exception as exc:
        if len(items) > 1:
            for item in items:  # find the one that cannot be applied
                await _apply([item], service, topic, handle_many, dlq_topic)
            return
        message, envelope, _ = items[0]
        if not isinstance(exc, Rejected):  # a bug must not drop the message: park it in the DLQ
            log.exception("consumer.handler_failed", service=service, event_id=str(envelope.id))
        reason = str(exc) if isinstance(exc, Rejected) else f"handler error: {short_reason(exc)}"
        await reject(dlq_topic, service, message, reason)
        return
    for _, envelope, _ in items:
        CONSUMED.labels(service, topic, envelope.type).inc()
        log.info("event.consumed", service=service, event_id=str(envelope.id), type=envelope.type,
                 subject=envelope.subject)


RAW_LIMIT = 64 * 1024  # what is kept of a message too large to park whole

# Fixed forever: DLQ event ids are derived from it, and consumers dedup on them.
DLQ_NS = uuid.UUID("9d3f6a52-8c1e-4b7a-a0f4-51e2c7d8b6a3")


def rejection_id(service: str, topic: str, partition: int, offset: int) -> uuid.UUID:
    """The DLQ event's id, from the rejected message's coordinates and the service that rejected it.

    The offset is committed after the DLQ write, so a crash between the two makes
    the restarted consumer reject the same message again; with the same `source`
    and `id`, that re-delivery is the same CloudEvent and any reader can drop it."""
    return uuid.uuid5(DLQ_NS, f"{service}:{topic}:{partition}:{offset}")


async def reject(dlq_topic, service: str, message: Any, reason: str) -> None:
    """Write `message.rejected` to the DLQ and wait until the broker has it.

    The consumer commits the message's offset after this returns, so it must not
    return before the DLQ holds the message: a DLQ write that fails (a message too
    large once base64-encoded, say) is retried with the raw bytes cut short (and
    the headers dropped if they alone are that large), and then until the broker
    takes it, however long that is."""
    raw = message.value or b""
    headers = kept_headers(message.headers)
    try:
        await _send_rejection(dlq_topic, service, message, reason, raw, headers)
    except Exception as exc:
        log.warning("dlq.write_failed", service=service, topic=message.topic, offset=message.offset,
                    error=type(exc).__name__)
        short = raw[:RAW_LIMIT]
        note = f"{reason} (raw cut to its first {len(short)} of {len(raw)} bytes: the whole was too large)"
        if sum(len(h.name) + len(h.value) for h in headers) > RAW_LIMIT:  # else a retry could never fit
            headers, note = [], f"{note} (its headers dropped: too large)"
        async for attempt in AsyncRetrying(
            wait=wait_exponential(multiplier=0.5, max=30),
            before_sleep=lambda rs: log.warning("dlq.write_retrying", service=service, topic=message.topic,
                                                offset=message.offset,
                                                error=type(rs.outcome.exception()).__name__),
        ):
            with attempt:
                await _send_rejection(dlq_topic, service, message, note, short, headers)
    REJECTED.labels(service, message.topic).inc()
    log.warning("event.rejected", service=service, topic=message.topic,
                partition=message.partition, offset=message.offset, reason=reason)


async def _send_rejection(dlq_topic, service: str, message: Any, reason: str, raw: bytes,
                          headers: list[RejectedHeader]) -> None:
    data = MessageRejected(topic=message.topic, partition=message.partition, offset=message.offset,
                           reason=reason, raw=base64.b64encode(raw).decode(), headers=headers)
    event = make_event("message.rejected", message.topic, data, source=f"followthrough/{service}",
                       event_id=rejection_id(service, message.topic, message.partition, message.offset),
                       time=SYSTEM.now())
    fut = await dlq_topic.send(key=message.topic.encode(), value=json.dumps(event).encode(), headers=list(HEADERS))
    await fut


def kept_headers(headers: Headers) -> list[RejectedHeader]:
    """Every header of a message, in order and repeats kept: a binary-mode event's attributes are in
    its `ce_*` headers, and without them the DLQ's `raw` is only the data (contract §3)."""
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    return [_header(str(name), value or b"") for name, value in items]


def _header(name: str, value: bytes | str) -> RejectedHeader:
    if isinstance(value, str):  # kafka clients hand over bytes; anything else must not stop the DLQ write
        value = value.encode("utf-8", "surrogatepass")
    try:  # the value is Text: control characters fail validation, as bytes that are not UTF-8 fail decoding
        return RejectedHeader(name=name, value=value.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and pydantic's ValidationError alike
        return RejectedHeader(name=name, value=base64.b64encode(value).decode(), encoding="base64")


def short_reason(exc: BaseException) -> str:
    """A reason safe to publish: the error's kind and first line, never its parameters."""
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]
