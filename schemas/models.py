"""The `data` of each event type. Field names are public (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field


DEFAULT_THEMES: tuple[str, ...] = (
    "stop-and-search", "communication", "respect", "schools", "safety",
    "trust", "training", "complaints", "youth-voice", "other",
)
"""Recommendation themes; a policy file may add more (SPEC §5)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Model):
    role: str = Field(min_length=1, max_length=120, examples=["Inspector, BCU engagement lead"])
    email: EmailStr


class Owner(Contact):
    name: Optional[str] = Field(default=None, max_length=120)


class Escalation(_Model):
    """The named leads above an owner, by email (SPEC §4)."""

    supervisor: EmailStr
    senior_lead: EmailStr
    board: EmailStr


class Panel(_Model):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    area: str = Field(min_length=1, max_length=200)
    police_lead: Contact
    escalation: Escalation


class PanelEvent(_Model):
    panel: Panel


class Recommendation(_Model):
    id: UUID
    panel: str
    raised_on: dt.date
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field(max_length=5000)
    themes: list[str]


class CommitmentTerms(_Model):
    """What the police agreed to do, with the ladder filled in by intake."""

    id: UUID
    action: str = Field(min_length=1, max_length=2000)
    done_means: str = Field(min_length=1, max_length=2000)
    owner: Owner
    escalation: Escalation
    agreed_on: dt.date
    due: dt.date
    update_every_days: int = Field(ge=1, le=365)


class RecommendationAgreed(_Model):
    recommendation: Recommendation
    commitment: CommitmentTerms


class RecommendationDeclined(_Model):
    recommendation: Recommendation
    reason: str = Field(min_length=1, max_length=2000)


class RecommendationRecorded(_Model):
    recommendation: Recommendation
    respond_by: dt.date


Status = Literal["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]


class CommitmentPublic(_Model):
    """A commitment's full public state: no email addresses."""

    id: UUID
    recommendation_id: UUID
    panel: str
    action: str
    done_means: str
    owner_role: str
    due: dt.date
    original_due: dt.date
    due_moves: int = Field(ge=0)
    status: Status
    days_overdue: int = Field(ge=0)
    last_update_at: Optional[dt.datetime]


class CommitmentEvent(_Model):
    """`data` of every `commitment.*` type; the optional fields say what happened."""

    commitment: CommitmentPublic
    update: Optional[str] = None
    new_due: Optional[dt.date] = None
    reason: Optional[str] = None
    verdict: Optional[Literal["confirmed", "disputed"]] = None
    comment: Optional[str] = None
    level: Optional[int] = None


NoticeKind = Literal[
    "reminder", "silent", "overdue", "escalation", "dispute", "review",
    "response_due", "back_on_track",
]


class ToldParty(_Model):
    role: str
    why: str


class NoticeFacts(_Model):
    recommendation_title: str
    action: str
    done_means: str
    panel: str
    owner_role: str
    agreed_on: Optional[dt.date] = None
    due: Optional[dt.date] = None
    original_due: Optional[dt.date] = None
    days_overdue: int = 0
    late: bool = Field(default=False, description="decided after its step was due (catch-up after downtime)")
    also_told: list[ToldParty] = []


class Notice(_Model):
    id: UUID
    recommendation_id: UUID
    commitment_id: Optional[UUID]
    kind: NoticeKind
    level: int = Field(ge=0, le=3)
    reason: str
    recipients: list[EmailStr] = Field(min_length=1)
    subject: str
    facts: NoticeFacts
    respond_url: Optional[str]
    status_url: str


class NoticeEvent(_Model):
    notice: Notice


class DeliveryEvent(_Model):
    notice_id: UUID
    recipient: EmailStr
    attempts: int = Field(ge=1)
    message_id: Optional[str] = None
    error: Optional[str] = None


class MessageRejected(_Model):
    topic: str
    partition: int
    offset: int
    reason: str
    raw: str = Field(description="the rejected message, base64")
