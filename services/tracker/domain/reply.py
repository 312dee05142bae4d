"""The youth panel's right of reply (contract §5), as pure rules: which decision a reply answers,
which replies it allows, and what an `insist` or `counter` starts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas.policy import Policy
from services.common.dates import add_days
from services.tracker.domain.model import TransitionError

ALLOWED = {"agreed": ("accept", "counter"), "declined": ("accept", "insist", "counter"),
           "withdrawn": ("accept", "insist", "counter")}


class ReplyRefused(TransitionError):
    """This reply does not fit the decision (insisting on an agreement, say); `field` names the input."""

    field = "reply"


def answered_decision(decision: str, commitment_status: str | None) -> str:
    """The decision a reply answers now: a commitment's withdrawal, else the police's decision."""
    if commitment_status == "withdrawn":
        return "withdrawn"
    if decision in ("agreed", "declined"):
        return decision
    raise TransitionError("the police have not decided yet, so there is nothing to answer: wait for their "
                          "decision")


def check_reply(decision: str, reply: str) -> None:
    if reply not in ALLOWED[decision]:
        raise ReplyRefused(f"you cannot {reply} on a recommendation the police {decision}: choose one of "
                           f"{', '.join(ALLOWED[decision])}")


@dataclass(frozen=True)
class ResponseDeadline:
    """The police's new deadline to answer: by `respond_by`, in answer round `round`."""

    respond_by: dt.date
    round: int


def new_response_deadline(today: dt.date, policy: Policy, round: int = 1) -> ResponseDeadline:
    """From the day of the reply, the policy's `respond_within_days`."""
    return ResponseDeadline(respond_by=add_days(today, policy.respond_within_days), round=round)
