"""The notifier's faust agent: hands every notice to `usecases/record_notices.py`."""

from __future__ import annotations

import faust

from schemas.events import DLQ, NOTICES
from services.common.consumer import consume
from services.common.streams import raw_topic
from services.notifier.usecases.record_notices import NoticeIntake

CONSUMED = (NOTICES,)  # topics this service's group reads


def register(app: faust.App, intake: NoticeIntake, prefix: str = "") -> None:
    dlq = raw_topic(app, prefix + DLQ)

    @app.agent(raw_topic(app, prefix + NOTICES), name="notifier-notices")
    async def notices(stream):
        await consume(stream, service="notifier", topic=NOTICES, handle_many=intake.handle_many, dlq_topic=dlq)
