"""The words the event contracts are made of: the closed lists (statuses, notice kinds, decline
codes, replies, tracks), the default themes, free text without control characters, and the
trust pulse's step. `schemas/models.py` builds the events from them (contract §3)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

DEFAULT_THEMES: tuple[str, ...] = (
    "stop-and-search", "communication", "respect", "schools", "safety",
    "trust", "training", "complaints", "youth-voice", "other",
)
"""Recommendation themes; a policy file may add more (contract §5)."""


_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def _no_control_characters(text: str) -> str:
    if any(ch in _CONTROL for ch in text):
        raise ValueError("contains control characters (such as NUL); remove them")
    return text


Text = Annotated[str, AfterValidator(_no_control_characters)]
"""Every free-text field: control characters are refused, not stored."""


DeclineCode = Literal["no_power", "no_budget", "legal_or_safety", "not_workable", "other"]
"""Why the police said no, as a code the register counts (contract §5); `no_power` names `who_can`."""
DECLINE_CODES: tuple[str, ...] = ("no_power", "no_budget", "legal_or_safety", "not_workable", "other")

ReplyKind = Literal["accept", "insist", "counter"]
RepliedDecision = Literal["agreed", "declined", "withdrawn"]

Status = Literal["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]
Track = Literal["on_track", "minor_delay", "significant_delay", "not_started"]
"""How the owner says it is going, with each update (contract §5); the delays need a `delay_reason`."""

NoticeKind = Literal[
    "reminder", "silent", "overdue", "escalation", "dispute", "review",
    "response_due", "back_on_track",
    "handover",  # a new owner: the new and old owner, and everyone already told
    "changed",  # an escalated commitment was extended or withdrawn: everyone already told
    "extension_request",  # a deadline past the owner's limit: the supervisor approves it by a signed link
    "early_warning",  # the owner said before the due date that it will be significantly late: owner and supervisor
    "reopened",  # the panel reopened a kept promise: owner and supervisor, the ladder starts again
    "insisted",  # the youth panel insists on a declined recommendation or a withdrawn commitment
    "extension_refused",  # the supervisor said no to a later deadline: the owner hears the first one stands
    "owner_unreachable",  # the owner's email was refused or given up on: the supervisor names a new owner
]

PULSE_MIN_ANSWERS = 5
"""A period's pulse counts are shown, and published, only in steps of this many answers (contract §5): from the
5th answer, then the 10th, the 15th…, so no change of the figures singles one answer out."""

# Languages (contract §8.4): a person reads `en` or `cy`; a panel may work in both.
Language = Literal["en", "cy"]
PanelLanguage = Literal["en", "cy", "bilingual"]
