"""The faust batch handler: store each public event once, as the body receivers will get, and a
pending delivery for every live subscription that wants its type; then wake the dispatcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel

from schemas.envelope import CloudEvent
from services.common.clock import SYSTEM, Clock
from services.common.consumer import Rejected
from services.webhooks.adapters.store import StoredEvent
from services.webhooks.domain.payload import cloudevent_body
from services.webhooks.usecases.public import PUBLIC_TYPES


class EventStore(Protocol):
    def record_events(self, events: Sequence[StoredEvent], now) -> int: ...


def stored(envelope: CloudEvent, data: BaseModel) -> StoredEvent:
    """The event as it will be sent: its attributes and the public view of its data, built once here
    so every retry and replay sends the very same bytes."""
    attributes = envelope.model_dump(mode="json", exclude_none=True, exclude={"data"})
    body = cloudevent_body(attributes, data.model_dump(mode="json"))
    return StoredEvent(id=str(envelope.id), type=envelope.type, subject=envelope.subject, time=envelope.time,
                       body=body)


class RecordEvents:
    def __init__(self, store: EventStore, clock: Clock = SYSTEM, wake: Callable[[], None] = lambda: None) -> None:
        self.store, self.clock, self.wake = store, clock, wake

    def handle_many(self, items: list[tuple[CloudEvent, BaseModel]]) -> None:
        """One transaction per batch (the store's); a redelivered batch adds nothing."""
        for envelope, _ in items:
            if envelope.type not in PUBLIC_TYPES:  # the agents read only public topics: this is a wiring bug
                raise Rejected(f"the webhooks service does not send {envelope.type}: it is not a public event")
        if self.store.record_events([stored(e, d) for e, d in items], self.clock.now()):
            self.wake()
