"""intake's faust agent: hands every panel reply to usecases/replies.py."""

from __future__ import annotations

import faust

from schemas.events import DLQ, REPLIES
from services.common.consumer import consume
from services.common.streams import raw_topic
from services.intake.usecases.replies import ReplyHandlers

CONSUMED = (REPLIES,)  # topics this service's group reads


def register(app: faust.App, handlers: ReplyHandlers, prefix: str = "") -> None:
    dlq = raw_topic(app, prefix + DLQ)

    @app.agent(raw_topic(app, prefix + REPLIES), name="intake-replies")
    async def replies(stream):
        await consume(stream, service="intake", topic=REPLIES, handle_many=handlers.handle_many, dlq_topic=dlq)
