"""The delivery auditor: deliveries that should have ended by now and have not.

A delivery is stuck when it is
- `sending` past its lease: its claimant died and no replica has taken it back
  (a running notifier takes such a row within one pass, so this lasts only while
  none runs, or while claiming fails);
- still being tried (attempts > 0 and not yet sent or failed) past the point where
  the sender gives up on it: the ladder's next step (`notice.give_up_after`), or
  FOLLOWTHROUGH_DELIVERY_GIVE_UP_HOURS after it was queued, whichever comes first.
  The sender only gives up at the first attempt after that point, so one longest
  backoff and one lease of grace are allowed before it counts.

The count is `followthrough_stuck_deliveries` (it must be 0). Every replica runs
the auditor over the shared ledger, so each reports the same number."""

from __future__ import annotations

import asyncio
import datetime as dt

import structlog
from prometheus_client import Gauge
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from services.common.clock import Clock
from services.notifier.store import deliveries

log = structlog.get_logger()
STUCK = Gauge("followthrough_stuck_deliveries",
              "Deliveries sending past their lease, or still being tried past the ladder's next step")
LAST_SUCCESS = Gauge("followthrough_delivery_audit_last_success_timestamp_seconds",
                     "When the delivery auditor last counted stuck deliveries")

UNFINISHED = ("pending", "sending", "digest")  # states a delivery is still being tried in


def stuck_condition(now: dt.datetime, lease: dt.timedelta, give_up_hours: dt.timedelta, grace: dt.timedelta):
    d = deliveries.c
    abandoned = and_(d.state == "sending", d.claimed_at < now - lease)
    latest = now - grace  # a give-up point before this should have been acted on
    overdue = and_(d.state.in_(UNFINISHED), d.attempts > 0,
                   or_(d.give_up_after < latest, d.created_at < latest - give_up_hours))
    return or_(abandoned, overdue)


def stuck_deliveries(engine: Engine, now: dt.datetime, lease: dt.timedelta, give_up_hours: dt.timedelta,
                     grace: dt.timedelta, sample: int = 5) -> tuple[int, list[tuple[str, str, str]]]:
    """How many deliveries are stuck, and a few of them as (notice_id, recipient, state)."""
    where = stuck_condition(now, lease, give_up_hours, grace)
    d = deliveries.c
    with Session(engine) as s:
        count = s.execute(select(func.count()).select_from(deliveries).where(where)).scalar_one()
        first = s.execute(select(d.notice_id, d.recipient, d.state).where(where)
                          .order_by(d.created_at).limit(sample)).all() if count else []
    return count, [tuple(r) for r in first]


class DeliveryAuditor:
    def __init__(self, engine: Engine, clock: Clock, *, lease: dt.timedelta, give_up_hours: dt.timedelta,
                 max_backoff: float) -> None:
        self.engine, self.clock, self.lease, self.give_up_hours = engine, clock, lease, give_up_hours
        self.grace = dt.timedelta(seconds=max_backoff) + lease

    def run(self) -> int:
        now = self.clock.now()
        count, first = stuck_deliveries(self.engine, now, self.lease, self.give_up_hours, self.grace)
        STUCK.set(count)
        LAST_SUCCESS.set(now.timestamp())
        if count:
            log.error("auditor.stuck_deliveries", count=count, first=first)
        return count

    async def run_every(self, interval: float) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run)
            except Exception:
                log.exception("auditor.failed")  # database away: the gauge keeps its last value; try again
            await asyncio.sleep(interval)
