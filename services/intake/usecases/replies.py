"""What intake does with the youth panels' replies (`followthrough.replies`), each once.

- `insist` on a decline: the recommendation is pending again, with the new `respond_by`, so the
  police can decide it again through the decision endpoint.
- `counter`: the panel's new proposal is recorded as a pending recommendation (the id the
  tracker gave it) and published as `recommendation.recorded` with `counter_to`.
- `accept`, and `insist` on a withdrawn commitment: nothing for intake to change.

The event id is the key (`intake_processed_events`): a reply read again after a crash is not
applied twice, so an old `insist` can never reopen a decision made since."""

from __future__ import annotations

import structlog

from schemas import Recommendation, RecommendationRecorded, RecommendationReplied, make_event
from schemas.envelope import CloudEvent
from services.common.clock import london_today
from services.common.consumer import Rejected
from services.intake.usecases.ports import Storage, Store

log = structlog.get_logger()
SOURCE = "followthrough/intake"


class ReplyHandlers:
    def __init__(self, storage: Storage, wake=lambda: None) -> None:
        self.storage, self.wake = storage, wake

    def handle_many(self, items: list[tuple[CloudEvent, object]]) -> None:
        with self.storage.transaction() as store:
            for envelope, data in items:
                if not isinstance(data, RecommendationReplied):
                    raise Rejected(f"intake does not consume {envelope.type}")
                if store.first_time(str(envelope.id)):
                    apply_reply(store, envelope, data)
        self.wake()


def apply_reply(store: Store, envelope: CloudEvent, data: RecommendationReplied) -> None:
    rec_id = str(data.recommendation_id)
    row = store.recommendation(rec_id)
    if row is None:
        raise Rejected(f"no recommendation {rec_id} in intake")
    if data.reply == "insist" and data.decision == "declined":
        # Only a decline still standing reopens: a decision made since the reply is kept.
        store.update_recommendation(rec_id, {"decision": "pending", "respond_by": data.respond_by},
                                    if_decision="declined")
        log.info("reply.insisted", recommendation_id=rec_id, respond_by=str(data.respond_by))
    elif data.reply == "counter" and data.counter is not None:
        _record_counter(store, envelope, data, row)


def _record_counter(store: Store, envelope: CloudEvent, data: RecommendationReplied, first) -> None:
    c = data.counter
    raised_on = london_today(envelope.time)
    respond_by = data.respond_by
    if respond_by is None:
        raise Rejected("a counter-proposal without respond_by")
    inserted = store.add_recommendation(dict(id=str(c.id), panel=data.panel, raised_on=raised_on,
                                             title=c.title, detail=c.detail, themes=list(c.themes),
                                             decision="pending", respond_by=respond_by, counter_to=str(first.id)))
    if not inserted:
        return
    rec = Recommendation(id=c.id, panel=data.panel, raised_on=raised_on, title=c.title, detail=c.detail,
                         themes=list(c.themes))
    store.publish(make_event(
        "recommendation.recorded", str(c.id),
        RecommendationRecorded(recommendation=rec, respond_by=respond_by, counter_to=data.recommendation_id),
        source=SOURCE, time=envelope.time))
    log.info("reply.countered", recommendation_id=str(first.id), counter_id=str(c.id))
