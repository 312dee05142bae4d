"""The public event contracts of followthrough (contract §3).

These pydantic models are the wire: every service builds and parses events
through them, and `followthrough schemas export` turns them into the JSON
Schema and AsyncAPI files committed beside this module.
"""

from schemas.envelope import CloudEvent, InvalidEvent, make_event, parse_event
from schemas.events import EVENT_TYPES, TOPICS, EventSpec
from schemas.models import (
    CommitmentEvent,
    CommitmentPublic,
    CommitmentTerms,
    Contact,
    DeliveryEvent,
    Escalation,
    MessageRejected,
    Notice,
    NoticeEvent,
    NoticeFacts,
    Owner,
    Panel,
    PanelEvent,
    Recommendation,
    RecommendationAgreed,
    RecommendationDeclined,
    RecommendationRecorded,
    RecommendationReplied,
)

__all__ = [
    "CloudEvent", "InvalidEvent", "make_event", "parse_event",
    "EVENT_TYPES", "TOPICS", "EventSpec",
    "CommitmentEvent", "CommitmentPublic", "CommitmentTerms", "Contact",
    "DeliveryEvent", "Escalation", "MessageRejected", "Notice", "NoticeEvent",
    "NoticeFacts", "Owner", "Panel", "PanelEvent", "Recommendation",
    "RecommendationAgreed", "RecommendationDeclined", "RecommendationRecorded",
    "RecommendationReplied",
]
