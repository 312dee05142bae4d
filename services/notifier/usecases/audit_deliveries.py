"""The delivery auditor: count the deliveries that should have ended by now and have not
(the rule is `domain/stuck.py`). The count is `followthrough_stuck_deliveries` (it must
be 0). Every replica runs the auditor over the shared ledger, so each reports the same number."""

from __future__ import annotations

import datetime as dt

import structlog
from prometheus_client import Gauge

from services.common.clock import Clock
from services.notifier.domain.stuck import StuckRule
from services.notifier.usecases.ports import DeliveryLedger

log = structlog.get_logger()
STUCK = Gauge("followthrough_stuck_deliveries",
              "Deliveries sending past their lease, or still being tried past the ladder's next step")
LAST_SUCCESS = Gauge("followthrough_delivery_audit_last_success_timestamp_seconds",
                     "When the delivery auditor last counted stuck deliveries")


class DeliveryAuditor:
    def __init__(self, ledger: DeliveryLedger, clock: Clock, *, lease: dt.timedelta, give_up_hours: dt.timedelta,
                 max_backoff: float) -> None:
        self.ledger, self.clock = ledger, clock
        self.rule = StuckRule(lease=lease, give_up_hours=give_up_hours, max_backoff=max_backoff)

    def run(self) -> int:
        now = self.clock.now()
        count, first = self.ledger.stuck(now, self.rule)
        STUCK.set(count)
        LAST_SUCCESS.set(now.timestamp())
        if count:
            log.error("auditor.stuck_deliveries", count=count, first=first)
        return count
