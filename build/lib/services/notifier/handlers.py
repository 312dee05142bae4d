"""Apply `notice.requested` to the ledger, once per notice id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from schemas import NoticeEvent
from schemas.envelope import CloudEvent
from services.common.clock import LONDON, SYSTEM, Clock
from services.common.consumer import Rejected
from services.notifier import ledger


class Handlers:
    def __init__(self, engine: Engine, wake=lambda: None, digest_at: dt.time | None = None,
                 clock: Clock = SYSTEM) -> None:
        self.clock = clock
        self.engine, self.wake, self.digest_at = engine, wake, digest_at

    def handle_many(self, items: list[tuple[CloudEvent, object]]) -> None:
        for envelope, data in items:
            if not isinstance(data, NoticeEvent):
                raise Rejected(f"the notifier does not consume {envelope.type}")
        now = self.clock.now()
        held_until = next_digest(now, self.digest_at) if self.digest_at else None
        if ledger.record_notices(self.engine, [data.notice for _, data in items], now, held_until):
            self.wake()


def next_digest(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next time of day `at` in London, after `now`."""
    local = now.astimezone(LONDON)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=LONDON)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=LONDON)
    return candidate.astimezone(dt.timezone.utc)
