"""The webhooks service's faust agents: one per public topic, each handing its batches to
`usecases/record_events.py` through the shared consumer loop (bad messages to the DLQ).
Notices and deliveries are never read: they name staff (docs/contract.md §8.3)."""

from __future__ import annotations

import faust

from schemas.events import DLQ
from services.common.consumer import consume
from services.common.streams import raw_topic
from services.webhooks.usecases.public import PUBLIC_TOPICS
from services.webhooks.usecases.record_events import RecordEvents

GROUP = "followthrough-webhooks"
CONSUMED = PUBLIC_TOPICS  # topics this service's group reads


def register(app: faust.App, recorder: RecordEvents, prefix: str = "") -> None:
    dlq = raw_topic(app, prefix + DLQ)
    for topic in CONSUMED:
        _agent(app, recorder, prefix, topic, dlq)


def _agent(app: faust.App, recorder: RecordEvents, prefix: str, topic: str, dlq) -> None:
    name = "webhooks-" + topic.rsplit(".", 1)[-1]

    async def agent(stream):
        await consume(stream, service="webhooks", topic=topic, handle_many=recorder.handle_many, dlq_topic=dlq)

    agent.__name__ = name.replace("-", "_")
    app.agent(raw_topic(app, prefix + topic), name=name)(agent)
