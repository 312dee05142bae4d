"""The `data` of each event type. Field names are public (contract §3)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from schemas.vocabulary import (  # noqa: F401 (the vocabulary is part of this module's public names)
    DECLINE_CODES,
    DEFAULT_THEMES,
    PULSE_MIN_ANSWERS,
    DeclineCode,
    Language,
    NoticeKind,
    PanelLanguage,
    RepliedDecision,
    ReplyKind,
    Status,
    Text,
    Track,
)


class _Model(BaseModel):
    # A reader ignores fields it does not know: within a `dataschema` version a newer producer only adds
    # optional fields, and an older consumer must go on reading its events in a rolling upgrade
    # (docs/upgrading.md). Everything else is still refused: a missing field, a wrong type or value.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Contact(_Model):
    role: Text = Field(min_length=1, max_length=120, examples=["Inspector, BCU engagement lead"])
    email: EmailStr
    language: Optional[Language] = Field(
        default=None, description="the language this person's email is written in; absent: not known (a force "
                                  "under the Welsh Language Standards then writes bilingually, Welsh first)")


class Owner(Contact):
    name: Optional[Text] = Field(default=None, max_length=120)


class Escalation(_Model):
    """The named leads above an owner, by email (contract §4)."""

    supervisor: EmailStr
    senior_lead: EmailStr
    board: EmailStr
    languages: dict[Literal["supervisor", "senior_lead", "board"], Language] = Field(
        default={}, description="each lead's language, where known, by their place on the ladder")


class Panel(_Model):
    slug: Text = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: Text = Field(min_length=1, max_length=200)
    area: Text = Field(min_length=1, max_length=200)
    police_lead: Contact
    escalation: Escalation
    language: PanelLanguage = Field(
        default="en", description="the panel's language: its pages open in it unless the visitor chooses "
                                  "(`bilingual`: the visitor's browser decides)")
    access_code_sha256: Optional[str] = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of an access code made before codes were short (144 random bits); events "
                    "with a code made since carry access_code_hash instead. A new code (rotation) comes as "
                    "panel.updated")
    access_code_hash: Optional[str] = Field(
        default=None, max_length=200,
        pattern=r"^\$scrypt\$ln=\d{1,2},r=\d{1,2},p=\d\$[A-Za-z0-9+/]{16,64}\$[A-Za-z0-9+/]{16,86}$",
        description="The panel's access code (ten characters, 50 random bits) as a salted scrypt hash, a PHC "
                    "string naming its parameters: the tracker checks the panel's verdicts, replies and pulse "
                    "against it. When set, it is the code, and access_code_sha256 is absent")


class PanelEvent(_Model):
    panel: Panel


class Recommendation(_Model):
    id: UUID
    panel: Text
    raised_on: dt.date
    title: Text = Field(min_length=1, max_length=200)
    titles: dict[Language, Text] = Field(
        default={}, description="the title in Welsh and in English where both were given; `title` is shown "
                                "where the page's language has none. Text is shown as written")
    detail: Text = Field(max_length=5000)
    themes: list[str]


class CommitmentTerms(_Model):
    """What the police agreed to do, with the ladder filled in by intake."""

    id: UUID
    action: Text = Field(min_length=1, max_length=2000)
    done_means: Text = Field(min_length=1, max_length=2000)
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
    reason: Text = Field(min_length=1, max_length=2000)
    decline_code: DeclineCode = Field(
        default="other", description="why, as a code; events from before codes existed read as `other`")
    who_can: Optional[Text] = Field(
        default=None, max_length=200,
        description="with `no_power`: the body that has the power (\"Police cannot do this; {who_can} can.\")")


class RecommendationRecorded(_Model):
    recommendation: Recommendation
    respond_by: dt.date
    counter_to: Optional[UUID] = Field(
        default=None, description="the recommendation this one answers: the panel's counter-proposal to a decision")
    decision: Literal["pending", "in_principle"] = Field(
        default="pending", description="`in_principle`: the police said yes in principle, with no promise yet; it "
                                       "must become agreed or declined by `decide_by` (then `respond_by` is "
                                       "`decide_by` too, so a reader that knows only pending runs the same clock)")
    reason: Optional[Text] = Field(default=None, max_length=2000,
                                   description="with `in_principle`: the police's plain reason, shown as written")
    decide_by: Optional[dt.date] = Field(
        default=None, description="with `in_principle`: the day it must be agreed or declined by; past it the "
                                  "response_due ladder runs")


class CounterProposal(_Model):
    """The panel's new proposal: a pending recommendation with its own response clock."""

    id: UUID = Field(description="uuid5 of the reply event's id: the same reply always makes the same recommendation")
    title: Text = Field(min_length=1, max_length=200)
    detail: Text = Field(max_length=5000)
    themes: list[str]


class RecommendationReplied(_Model):
    """The youth panel's answer to a police decision (its right of reply, contract §5)."""

    recommendation_id: UUID
    panel: Text
    decision: RepliedDecision = Field(description="the decision answered: agreed, declined, or the commitment "
                                                  "withdrawn")
    reply: ReplyKind
    comment: Text = Field(max_length=1000)
    respond_by: Optional[dt.date] = Field(
        default=None, description="insist on a decline, or counter: the police must answer again by this day")
    counter: Optional[CounterProposal] = None


class CommitmentPublic(_Model):
    """A commitment's full public state: no email addresses."""

    id: UUID
    recommendation_id: UUID
    panel: Text
    action: Text
    done_means: Text
    owner_role: Text
    due: dt.date
    original_due: dt.date
    due_moves: int = Field(ge=0)
    status: Status
    days_overdue: int = Field(ge=0)
    last_update_at: Optional[dt.datetime]
    requested_due: Optional[dt.date] = Field(
        default=None, description="a later deadline the owner asked for, waiting for the supervisor's approval; "
                                  "until approved, `due` stands and the ladder runs")
    next_update_by: Optional[dt.date] = Field(
        default=None, description="the owner's next progress update is due by this day (the update cadence from "
                                  "the last update, the agreement or a reopening); null once it is finished. "
                                  "Missing it starts the silence ladder")
    track: Optional[Track] = Field(default=None, description="how the owner last said it is going")
    delay_reason: Optional[Text] = Field(default=None, description="why, when the owner said it is delayed")
    reopenings: int = Field(default=0, ge=0, description="how many times the panel reopened it after it was kept")
    kept_by: Optional[Literal["panel", "no_answer"]] = Field(
        default=None, description="a kept commitment: `panel` when the panel confirmed it was done, `no_answer` when "
                                  "the panel did not answer within the confirmation window (kept, not checked by "
                                  "the panel); null unless kept")
    owner_unreachable_since: Optional[dt.date] = Field(
        default=None, description="the owner's email was refused or given up on since this day: the supervisor "
                                  "was asked to name a new owner; null when the owner can be reached, and again "
                                  "after a handover")


class TimelineRecord(_Model):
    """The timeline entry the event recorded, hash-chained (contract §3); replay rebuilds state from these."""

    seq: int = Field(ge=1)
    at: dt.datetime
    kind: Text
    entry: dict[str, Any]
    prev_hash: Text
    hash: Text


class CommitmentEvent(_Model):
    """`data` of every `commitment.*` type; the optional fields say what happened."""

    commitment: CommitmentPublic
    timeline: Optional[TimelineRecord] = None
    update: Optional[Text] = None
    new_due: Optional[dt.date] = None
    reason: Optional[Text] = None
    verdict: Optional[Literal["confirmed", "disputed"]] = None
    comment: Optional[Text] = None
    level: Optional[int] = None
    track: Optional[Track] = Field(default=None, description="commitment.updated: how the owner says it is going")
    delay_reason: Optional[Text] = Field(default=None, description="commitment.updated: why it is delayed")


class ToldParty(_Model):
    role: Text
    why: Text


class NoticeFacts(_Model):
    recommendation_title: Text
    action: Text
    done_means: Text
    panel: Text
    owner_role: Text
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
    key: Text = Field(description="the ladder step, unique per recommendation: kind, level, due version or epoch")
    reason: Text
    recipients: list[EmailStr] = Field(min_length=1)
    languages: dict[EmailStr, Language] = Field(
        default={}, description="the language of each recipient whose language is known (the email's words; "
                                "`subject` and `reason` are the English)")
    subject: Text
    facts: NoticeFacts
    respond_url: Optional[Text]
    status_url: Text
    give_up_after: Optional[dt.datetime] = Field(
        default=None, description="when the next ladder step is due: an email still failing then becomes notice.failed")


class NoticeEvent(_Model):
    notice: Notice


class DeliveryEvent(_Model):
    notice_id: UUID
    recipient: EmailStr
    attempts: int = Field(ge=1)
    message_id: Optional[Text] = None
    error: Optional[Text] = None


class RejectedHeader(_Model):
    """One Kafka header of a rejected message, as it was."""

    name: str
    value: Text
    encoding: Literal["utf-8", "base64"] = Field(
        default="utf-8", description="`base64` where the value was not UTF-8 text or held control characters")


class MessageRejected(_Model):
    topic: Text
    partition: int
    offset: int
    reason: Text
    raw: Text = Field(description="the rejected message, base64")
    headers: list[RejectedHeader] = Field(
        default_factory=list,
        description="the message's Kafka headers in order (a binary-mode event's attributes are its `ce_*` "
                    "headers); with `raw`, enough to rebuild the message. Empty from releases before 0.4.0")


class PulseKept(_Model):
    """How many answered "did police keep their promises?" each way."""

    yes: int = Field(ge=0)
    no: int = Field(ge=0)
    not_sure: int = Field(ge=0)


class PulseRecorded(_Model):
    """The panel's trust pulse for one period after one more anonymous answer: how many answered so far,
    and the counts of the period's first `counted` answers, which move only when `min_answers` more have
    come; never the single answer, no access code and nothing about who answered."""

    panel: Text
    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="a month in Europe/London, e.g. 2026-11")
    answers: int = Field(ge=1, description="answers so far in this period")
    min_answers: int = Field(default=PULSE_MIN_ANSWERS,
                             description="the counts move in steps of this many answers (from the first step on)")
    counted: int = Field(default=0, ge=0, description="how many of the period's first answers `trust` and `kept` "
                                                      "count; 0 (and the counts null) before the first step")
    trust: Optional[list[Annotated[int, Field(ge=0)]]] = Field(
        default=None, min_length=5, max_length=5,
        description="how many of the counted answers gave trust 1, 2, 3, 4 and 5 (in that order); null before the "
                    "first step")
    kept: Optional[PulseKept] = Field(default=None, description="null before the first step")
