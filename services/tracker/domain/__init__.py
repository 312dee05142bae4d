"""The tracker's pure domain: no I/O, the clock passed in."""

from schemas.policy import Policy
from services.tracker.domain.change_notices import (
    decide_change,
    decide_early_warning,
    decide_extension_refused,
    decide_extension_request,
    decide_handover,
    decide_insisted,
    decide_owner_unreachable,
    decide_reopen,
)
from services.tracker.domain.ladder import (
    decide,
    decide_response,
    next_action_on,
    reopen_window,
    settle,
    still_working_asked,
    time_transition,
    told_level,
)
from services.tracker.domain.model import (
    ApprovalNeeded,
    Commitment,
    Contacts,
    Notice,
    PendingRecommendation,
    ReopenWindowClosed,
    TransitionError,
)

__all__ = [
    "ApprovalNeeded", "Commitment", "Contacts", "Notice", "PendingRecommendation", "Policy", "TransitionError",
    "ReopenWindowClosed",
    "decide", "decide_change", "decide_early_warning", "decide_extension_refused", "decide_extension_request",
    "decide_handover",
    "decide_insisted", "decide_owner_unreachable", "decide_reopen", "decide_response", "next_action_on",
    "reopen_window", "settle", "still_working_asked", "time_transition", "told_level",
]
