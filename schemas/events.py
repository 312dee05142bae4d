"""Which event type travels on which topic with which `data` (contract §3)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from schemas.models import (
    CommitmentEvent,
    DeliveryEvent,
    MessageRejected,
    NoticeEvent,
    PanelEvent,
    PulseRecorded,
    RecommendationAgreed,
    RecommendationDeclined,
    RecommendationRecorded,
    RecommendationReplied,
)

PANELS = "followthrough.panels"
RECOMMENDATIONS = "followthrough.recommendations"
COMMITMENTS = "followthrough.commitments"
NOTICES = "followthrough.notices"
DELIVERIES = "followthrough.deliveries"
DLQ = "followthrough.dlq"
PULSES = "followthrough.pulses"
REPLIES = "followthrough.replies"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False
    description: str = ""


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(PANELS, 3, compacted=True,
              description="Youth panels and their default escalation contacts, keyed by slug."),
    TopicSpec(RECOMMENDATIONS, 6,
              description="Recommendations as recorded by facilitators, keyed by recommendation id."),
    TopicSpec(COMMITMENTS, 6, description="Every change to a commitment, keyed by commitment id."),
    TopicSpec(NOTICES, 6, description="Notices the tracker decided to send, keyed by notice id."),
    TopicSpec(DELIVERIES, 3, description="What the notifier did with each notice and recipient, keyed by notice id."),
    TopicSpec(PULSES, 3, description="The youth panels' trust pulse: after each anonymous answer, how many answered"
                                     " and the period's counts, which move only in steps of min_answers answers,"
                                     " keyed by panel slug. Never a single answer."),
    TopicSpec(REPLIES, 3, description="The youth panels' replies to police decisions (accept, insist, counter), "
                                      "keyed by recommendation id."),
    TopicSpec(DLQ, 1, description="Messages a consumer could not parse or validate, keyed by source topic."),
)


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    data: type[BaseModel]
    summary: str


_COMMITMENT_TYPES = {
    "commitment.opened": "A commitment was agreed and is now tracked.",
    "commitment.updated": "The owner posted a progress update (with `track`, and `delay_reason` when delayed).",
    "commitment.extended": "The due date moved, with a public reason.",
    "commitment.completed": "The owner says it is done, with evidence; the panel is asked to check.",
    "commitment.confirmed": "The panel confirmed it was kept (or the confirmation window passed).",
    "commitment.disputed": "The panel disputed that it was done.",
    "commitment.withdrawn": "The commitment was withdrawn, with a public reason.",
    "commitment.due_soon": "The due date is near.",
    "commitment.overdue": "The due date passed and it is not done.",
    "commitment.silent": "No update for longer than agreed.",
    "commitment.review_due": "Six months since it was agreed and it is still open.",
    "commitment.escalated": "The escalation ladder went up a level.",
    "commitment.back_on_track": "Done or kept after an escalation.",
    "commitment.reopened": "The panel reopened a kept promise (its comment in `comment`): it is worked on again "
                           "and the ladder starts again.",
}

EVENT_TYPES: dict[str, EventSpec] = {
    spec.type: spec
    for spec in [
        EventSpec("panel.registered", PANELS, PanelEvent, "A youth panel was registered."),
        EventSpec("panel.updated", PANELS, PanelEvent, "A youth panel's details changed."),
        EventSpec("recommendation.agreed", RECOMMENDATIONS, RecommendationAgreed,
                  "Police agreed a recommendation: it carries the whole commitment."),
        EventSpec("recommendation.declined", RECOMMENDATIONS, RecommendationDeclined,
                  "Police declined a recommendation, with the reason."),
        EventSpec("recommendation.recorded", RECOMMENDATIONS, RecommendationRecorded,
                  "A recommendation awaits a police decision by respond_by; with decision in_principle the police"
                  " said yes in principle (reason), and it must be agreed or declined by decide_by (= respond_by)."),
        EventSpec("recommendation.replied", REPLIES, RecommendationReplied,
                  "The youth panel answered a decision: accept, insist (the police answer again by respond_by)"
                  " or counter (a new pending recommendation, counter_to the first)."),
        *[EventSpec(t, COMMITMENTS, CommitmentEvent, s) for t, s in _COMMITMENT_TYPES.items()],
        EventSpec("notice.requested", NOTICES, NoticeEvent, "The tracker asks for a notice to be sent."),
        EventSpec("notice.delivered", DELIVERIES, DeliveryEvent, "A notice reached one recipient's mail server."),
        EventSpec("notice.failed", DELIVERIES, DeliveryEvent, "A notice could not be delivered to one recipient."),
        EventSpec("pulse.recorded", PULSES, PulseRecorded,
                  "A panel member answered the trust pulse: how many answered so far, and the counts of the"
                  " period's first `counted` answers, which move only when min_answers more have come (counts"
                  " only), never the answer itself."),
        EventSpec("message.rejected", DLQ, MessageRejected,
                  "A consumer rejected a message it could not read. The id is derived from the rejecting"
                  " service and the message's topic, partition and offset, so a re-delivery after a crash"
                  " repeats the same id: drop repeats by (source, id)."),
    ]
}
