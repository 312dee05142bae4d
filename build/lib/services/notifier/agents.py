"""The notifier's faust agent: hands every notice to handlers.py."""

from __future__ import annotations

import faust

from schemas.events import DLQ, NOTICES
from services.common.consumer import consume
from services.common.streams import raw_topic
from services.notifier.handlers import Handlers

CONSUMED = (NOTICES,)  # topics this service's group reads


def register(app: faust.App, handlers: Handlers, prefix: str = "") -> None:
    dlq = raw_topic(app, prefix + DLQ)

    @app.agent(raw_topic(app, prefix + NOTICES), name="notifier-notices")
    async def notices(stream):
        await consume(stream, service="notifier", topic=NOTICES, handle_many=handlers.handle_many, dlq_topic=dlq)
