"""faust agents: a few lines each, handing every event to the ingest use case (usecases/ingest.py)."""

from __future__ import annotations

import faust

from schemas.events import DELIVERIES, DLQ, PANELS, RECOMMENDATIONS
from services.common.consumer import consume
from services.common.streams import raw_topic
from services.tracker.usecases.ingest import Handlers

CONSUMED = (PANELS, RECOMMENDATIONS, DELIVERIES)  # topics this service's group reads


def register(app: faust.App, handlers: Handlers, prefix: str = "") -> None:
    dlq = raw_topic(app, prefix + DLQ)

    @app.agent(raw_topic(app, prefix + PANELS), name="tracker-panels")
    async def panels(stream):
        await consume(stream, service="tracker", topic=PANELS, handle_many=handlers.handle_many, dlq_topic=dlq)

    @app.agent(raw_topic(app, prefix + RECOMMENDATIONS), name="tracker-recommendations")
    async def recommendations(stream):
        await consume(stream, service="tracker", topic=RECOMMENDATIONS, handle_many=handlers.handle_many, dlq_topic=dlq)

    @app.agent(raw_topic(app, prefix + DELIVERIES), name="tracker-deliveries")
    async def deliveries(stream):
        await consume(stream, service="tracker", topic=DELIVERIES, handle_many=handlers.handle_many, dlq_topic=dlq)
