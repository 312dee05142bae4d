"""Apply `notice.requested` to the ledger, once per notice id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from schemas import NoticeEvent
from schemas.envelope import CloudEvent
from services.common.consumer import Rejected
from services.notifier import ledger


class Handlers:
    def __init__(self, engine: Engine, wake=lambda: None) -> None:
        self.engine, self.wake = engine, wake

    def handle(self, envelope: CloudEvent, data) -> None:
        if not isinstance(data, NoticeEvent):
            raise Rejected(f"the notifier does not consume {envelope.type}")
        if ledger.record_notice(self.engine, data.notice, dt.datetime.now(dt.timezone.utc)):
            self.wake()
