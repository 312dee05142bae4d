"""The loop every faust agent runs: parse, hand over, commit; bad messages to
the DLQ, transient failures retried in place.

faust acks a message whose agent raised, so nothing may escape this loop:
a message is either handled, or in the DLQ with the reason.
"""

from __future__ import annotations

import asyncio
import base64
import json
import datetime as dt
from typing import Any, Callable

import structlog
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential

from schemas import InvalidEvent, MessageRejected, make_event, parse_event
from schemas.envelope import CloudEvent

log = structlog.get_logger()

CONSUMED = Counter("followthrough_events_consumed_total", "Events handled by a consumer", ["service", "topic", "type"])
REJECTED = Counter("followthrough_dlq_messages_total", "Messages sent to the DLQ", ["service", "topic"])


class Rejected(Exception):
    """The message is well-formed but cannot be applied (for example an unknown panel)."""


Handler = Callable[[CloudEvent, BaseModel], None]


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


async def consume(stream, *, service: str, topic: str, handle: Handler, dlq_topic) -> None:
    """Drive `stream` (a faust stream of raw bytes) through `handle`, run in a thread."""
    async for event in stream.events():
        message = event.message
        try:
            envelope, data = parse_event(message.value, topic=topic)
        except InvalidEvent as exc:
            await reject(dlq_topic, service, message, str(exc))
            continue
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(is_transient),
                wait=wait_exponential(multiplier=0.2, max=15),
                before_sleep=lambda rs: log.warning(
                    "consumer.retrying", service=service, event_id=str(envelope.id),
                    error=str(rs.outcome.exception())),
                reraise=True,
            ):
                with attempt:
                    await asyncio.to_thread(handle, envelope, data)
        except Rejected as exc:
            await reject(dlq_topic, service, message, str(exc))
            continue
        except Exception as exc:  # a bug must not drop the message: park it in the DLQ
            log.exception("consumer.handler_failed", service=service, event_id=str(envelope.id))
            await reject(dlq_topic, service, message, f"handler error: {exc!r}")
            continue
        CONSUMED.labels(service, topic, envelope.type).inc()
        log.info("event.consumed", service=service, event_id=str(envelope.id),
                 type=envelope.type, subject=envelope.subject)


async def reject(dlq_topic, service: str, message: Any, reason: str) -> None:
    """Write `message.rejected` to the DLQ and wait until the broker has it."""
    data = MessageRejected(
        topic=message.topic, partition=message.partition, offset=message.offset,
        reason=reason, raw=base64.b64encode(message.value or b"").decode(),
    )
    event = make_event("message.rejected", message.topic, data, source=f"followthrough/{service}",
                       time=dt.datetime.now(dt.timezone.utc))
    fut = await dlq_topic.send(key=message.topic.encode(), value=json.dumps(event).encode())
    await fut
    REJECTED.labels(service, message.topic).inc()
    log.warning("event.rejected", service=service, topic=message.topic,
                partition=message.partition, offset=message.offset, reason=reason)
