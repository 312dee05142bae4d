"""Record `notice.requested` in the ledger, once per notice id, and wake the sender."""

from __future__ import annotations

import datetime as dt

from schemas import NoticeEvent
from schemas.envelope import CloudEvent
from services.common.clock import SYSTEM, Clock
from services.common.consumer import Rejected
from services.notifier.domain.digest_time import next_digest
from services.notifier.usecases.ports import DeliveryLedger


class NoticeIntake:
    def __init__(self, ledger: DeliveryLedger, wake=lambda: None, digest_at: dt.time | None = None,
                 clock: Clock = SYSTEM) -> None:
        self.ledger, self.wake, self.digest_at, self.clock = ledger, wake, digest_at, clock

    def handle_many(self, items: list[tuple[CloudEvent, object]]) -> None:
        for envelope, data in items:
            if not isinstance(data, NoticeEvent):
                raise Rejected(f"the notifier does not consume {envelope.type}")
        now = self.clock.now()
        held_until = next_digest(now, self.digest_at) if self.digest_at else None
        if self.ledger.record_notices([data.notice for _, data in items], now, held_until):
            self.wake()
