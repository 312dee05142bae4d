"""The tracker's pure domain: no I/O, the clock passed in."""

from services.tracker.domain.ladder import decide, decide_response, next_action_on, time_transition
from services.tracker.domain.model import Commitment, Contacts, Notice, PendingRecommendation
from services.tracker.domain.policy import Policy

__all__ = [
    "Commitment", "Contacts", "Notice", "PendingRecommendation", "Policy",
    "decide", "decide_response", "next_action_on", "time_transition",
]
