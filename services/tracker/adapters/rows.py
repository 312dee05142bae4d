"""What a row of the tracker's tables offers the code that reads it, typed: a SQLAlchemy
`Row` of that table satisfies these (as does anything with the same attributes), so the
rest of the tracker never handles an untyped `Any` row."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class CommitmentRow(Protocol):
    id: str
    recommendation_id: str
    panel: str
    action: str
    done_means: str
    owner_role: str
    owner_email: str
    owner_name: str | None
    owner_language: str | None
    escalation: dict
    agreed_on: dt.date
    due: dt.date
    original_due: dt.date
    due_version: int
    update_every_days: int
    ladder_since: dt.date
    status: str
    last_update_at: dt.datetime | None
    last_update_on: dt.date | None
    update_count: int
    done_on: dt.date | None
    disputes: int
    disputed_on: dt.date | None
    completions: int
    handovers: int
    confirm_extra_days: int
    requested_due: dt.date | None
    requested_reason: str | None
    track: str | None
    delay_reason: str | None
    kept_on: dt.date | None
    kept_by: str | None
    reopened_on: dt.date | None
    reopenings: int
    owner_unreachable_since: dt.date | None
    policy: dict
    next_action_on: dt.date | None
    created_at: dt.datetime


class RecommendationRow(Protocol):
    id: str
    panel: str
    raised_on: dt.date
    title: str
    titles: dict | None
    detail: str
    themes: list
    decision: str
    decline_reason: str | None
    decline_code: str | None
    who_can: str | None
    counter_to: str | None
    response_round: int
    respond_by: dt.date | None
    ladder_since: dt.date | None
    principle_reason: str | None
    decide_by: dt.date | None


class PanelRow(Protocol):
    slug: str
    name: str
    area: str
    police_lead: dict
    escalation: dict
    access_code_sha256: str | None
    language: str


class TimelineRow(Protocol):
    commitment_id: str
    seq: int
    at: dt.datetime
    kind: str
    entry: dict
