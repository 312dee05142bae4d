"""What facilitators send (a panel, a recommendation, a decision), validated so that every
error names the field and the fix. Pure rules: the API, the CSV import and the record form
all read into these models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from schemas.models import Contact, DeclineCode, Escalation, Owner
from services.common.dates import BoundedDate
from services.common.text import PublicLine, PublicText
from services.intake.domain.languages import PanelLanguage, PersonLanguage
from services.intake.domain.readability import plain_reason

# A decline reason is public and written for the panel: no contact details, and plain words.
DeclineReason = Annotated[PublicText, AfterValidator(plain_reason)]
DECLINE_REASON_HELP = ("why the police said no, written for the panel: short sentences and everyday words "
                       "(a Flesch-Kincaid grade of 9 or below; reasons under 8 words are not graded)")
DECLINE_CODE_HELP = ("why, as a code the register counts: no_power (police cannot do it; name who_can), "
                     "no_budget, legal_or_safety, not_workable, other (the default)")
WHO_CAN_HELP = "with decline_code no_power: the body that has the power, for example \"the local council\""
PRINCIPLE_REASON_HELP = ("with decision in_principle: what the police said yes to in principle and what they still "
                         "need before they promise, written for the panel (plain words, like a decline reason)")
DECIDE_BY_HELP = ("with decision in_principle: the day by which the police agree (owner, due, done means) or decline; "
                  "default: the decision day plus the policy's respond_within_days. Past it, the response ladder runs")
MAX_DECIDE_DAYS = 365  # "in principle" is not a place to park a recommendation for years


Title = Annotated[PublicLine, Field(max_length=200)]
# A "yes in principle" is public and for the panel too: the same guard and reading grade.
PlainReason = Annotated[PublicText, AfterValidator(plain_reason)]


class _Decline:
    """The rules a decline's code and `who_can` follow, in the API, the CSV and the record form alike."""

    decision: str
    decline_code: Optional[str]
    who_can: Optional[str]

    def decline_problems(self) -> list[dict]:
        out = []
        if self.decision == "declined" and self.decline_code == "no_power" and not self.who_can:
            out.append({"field": "who_can", "message": "decline_code is 'no_power' but who_can is missing",
                        "fix": "Add who_can: the body that can do this, for example \"the local council\"."})
        if self.who_can and not (self.decision == "declined" and self.decline_code == "no_power"):
            out.append({"field": "who_can", "message": "who_can is only for a decline with decline_code 'no_power'",
                        "fix": "Remove who_can, or set decline_code to no_power."})
        if self.decline_code and self.decision != "declined":
            out.append({"field": "decline_code", "message": f"decision is '{self.decision}' but a decline_code "
                        "was sent", "fix": "Remove decline_code: only declined recommendations have one."})
        return out


class _InPrinciple:
    """The rules a "yes in principle" follows (contract §5): a plain reason, and a `decide_by` that is
    neither past nor more than a year away, in the API, the CSV and the record form alike."""

    decision: str
    reason: Optional[str]
    decide_by: Optional[dt.date]

    def principle_problems(self, today: dt.date | None) -> list[dict]:
        out = []
        if self.decision == "in_principle" and not self.reason:
            out.append({"field": "reason", "message": "decision is 'in_principle' but there is no reason",
                        "fix": "Add a reason the panel can read: what the police said yes to, and what they "
                               "still need before they promise."})
        if self.decision != "in_principle":
            for name in ("reason", "decide_by"):
                if getattr(self, name):
                    out.append({"field": name, "message": f"{name} is only for a decision 'in_principle'",
                                "fix": f"Remove {name}, or set decision to in_principle."})
        if self.decision == "in_principle" and self.decide_by and today:
            out += decide_by_problems(self.decide_by, today)
        return out


def decide_by_problems(decide_by: dt.date, today: dt.date) -> list[dict]:
    """A `decide_by` in the past, or more than a year away, named with its fix."""
    if decide_by < today:
        return [{"field": "decide_by", "message": f"{decide_by.isoformat()} is in the past",
                 "fix": f"Use today ({today.isoformat()}) or a later day, or leave decide_by out for the default."}]
    if (decide_by - today).days > MAX_DECIDE_DAYS:
        return [{"field": "decide_by", "message": f"{decide_by.isoformat()} is more than {MAX_DECIDE_DAYS} days away",
                 "fix": f"Use a day within {MAX_DECIDE_DAYS} days of today: agree or decline within a year."}]
    return []


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PoliceLead(Contact):
    """The panel's police lead as sent: the role is public (the panel's page, the register), so guarded."""

    role: PublicLine = Field(min_length=1, max_length=120, examples=["Inspector, BCU engagement lead"])
    language: PersonLanguage = Field(default=None, description="en or cy; leave it out when not known")


class CommitmentOwner(Owner):
    """A commitment's owner as sent: the role is public and the name may be, so both are guarded."""

    role: PublicLine = Field(min_length=1, max_length=120, examples=["Inspector, response team"])
    name: Optional[PublicLine] = Field(default=None, max_length=120)
    language: PersonLanguage = Field(default=None, description="en or cy; leave it out when not known")


class Ladder(Escalation):
    """The leads as sent: each lead's language, where known, refused with the fix when wrong."""

    languages: dict[Literal["supervisor", "senior_lead", "board"], PersonLanguage] = Field(
        default={}, description="each lead's language (en or cy) by their place; leave a lead out when not known")

    @field_validator("languages")
    @classmethod
    def _known_only(cls, languages: dict) -> dict:
        return {place: lang for place, lang in languages.items() if lang}  # "not known": no entry, as in events


class PanelIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "slug": "waltham-forest-youth-panel", "name": "Waltham Forest Youth Panel",
        "area": "Waltham Forest (North East BCU)", "contact_email": "youth.service@example.org",
        "police_lead": {"role": "Inspector, youth engagement", "email": "inspector.ne@example.org"},
        "escalation": {"supervisor": "superintendent.ne@example.org", "senior_lead": "bcu-commander.ne@example.org",
                       "board": "oversight-board.ne@example.org"}}]})

    slug: PublicLine = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["waltham-forest-youth-panel"],
                      description="lower-case letters, digits and dashes; it appears in the panel's page address")
    name: PublicLine = Field(min_length=1, max_length=200, examples=["Waltham Forest Youth Panel"])
    area: PublicLine = Field(min_length=1, max_length=200, examples=["Waltham Forest (North East BCU)"])
    contact_email: Optional[EmailStr] = Field(default=None,
                                              description="the youth worker's work address, never a young person's")
    police_lead: PoliceLead
    escalation: Ladder
    language: PanelLanguage = Field(default="en", description="en, cy or bilingual: the language the panel's "
                                    "pages open in and its sign-in emails are written in")


class CommitmentIn(_In):
    action: PublicText = Field(min_length=1, max_length=2000,
                               examples=["Run a youth-led stop and search training session for every new "
                                          "response team officer"])
    done_means: PublicText = Field(min_length=1, max_length=2000,
                                   examples=["All 40 new officers attended, and the panel has seen the "
                                              "attendance list"])
    owner: CommitmentOwner
    escalation: Optional[Ladder] = Field(default=None, description="default: the panel's ladder")
    due: BoundedDate
    agreed_on: Optional[BoundedDate] = Field(default=None,
                                         description="default: today; set it when recording an older agreement")
    update_every_days: Optional[int] = Field(default=None, ge=1, le=365, description="default 30")


class RecommendationIn(_Decline, _InPrinciple, _In):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "panel": "waltham-forest-youth-panel", "raised_on": "2026-01-14",
        "title": "Explain your reasons for every stop",
        "detail": "Young people said officers rarely say why they are stopped.",
        "themes": ["stop-and-search", "respect"], "decision": "agreed",
        "commitment": {"action": "Brief every response officer on giving the grounds for a stop",
                       "done_means": "All response officers briefed; the panel has seen the briefing",
                       "owner": {"role": "Inspector, response team", "email": "inspector.response@example.org"},
                       "due": "2026-04-30"}}]})

    panel: PublicLine = Field(min_length=1, max_length=64)
    raised_on: BoundedDate
    title: PublicLine = Field(min_length=1, max_length=200, examples=["Explain your reasons for every stop"])
    titles: dict[Literal["en", "cy"], Title] = Field(
        default={}, description="the title in English and in Welsh where both are given; each shown as written")
    detail: PublicText = Field(default="", max_length=5000)
    themes: list[PublicLine] = Field(default_factory=list, max_length=10, examples=[["stop-and-search", "respect"]])
    decision: Literal["agreed", "declined", "in_principle", "pending"]
    decline_reason: Optional[DeclineReason] = Field(default=None, max_length=2000, description=DECLINE_REASON_HELP)
    decline_code: Optional[DeclineCode] = Field(default=None, description=DECLINE_CODE_HELP)
    who_can: Optional[PublicLine] = Field(default=None, min_length=1, max_length=200, description=WHO_CAN_HELP)
    commitment: Optional[CommitmentIn] = None
    respond_within_days: Optional[int] = Field(default=None, ge=1, le=365, description="default 56")
    reason: Optional[PlainReason] = Field(default=None, max_length=2000, description=PRINCIPLE_REASON_HELP)
    decide_by: Optional[BoundedDate] = Field(default=None, description=DECIDE_BY_HELP)

    @field_validator("titles")
    @classmethod
    def _given_only(cls, titles: dict) -> dict:
        return {lang: title for lang, title in titles.items() if title}

    def problems(self, themes: tuple[str, ...], today: dt.date | None = None) -> list[dict]:
        """Rules across fields, each naming the field to fix (`today`: also whether decide_by is past)."""
        out = []

        def bad(field: str, message: str, fix: str) -> None:
            out.append({"field": field, "message": message, "fix": fix})

        if self.decision == "agreed" and self.commitment is None:
            bad("commitment", "decision is 'agreed' but there is no commitment",
                "Add commitment {action, done_means, owner, due}.")
        if self.decision != "agreed" and self.commitment is not None:
            bad("commitment", f"decision is '{self.decision}' but a commitment was sent",
                "Remove the commitment: only agreed recommendations have one.")
        if self.decision == "declined" and not self.decline_reason:
            bad("decline_reason", "decision is 'declined' but there is no reason",
                "Add a decline_reason the panel can read.")
        out += self.decline_problems() + self.principle_problems(today)
        if self.commitment and self.commitment.due < self.raised_on:
            bad("commitment.due", "is before raised_on", "Use a due date on or after the day it was raised.")
        if self.commitment and self.commitment.agreed_on and self.commitment.agreed_on < self.raised_on:
            bad("commitment.agreed_on", "is before raised_on", "Use the day the police agreed it.")
        for i, theme in enumerate(self.themes):
            if theme not in themes:
                bad(f"themes.{i}", f"'{theme}' is not a known theme", f"Use one of: {', '.join(themes)}.")
        return out


class DecisionIn(_Decline, _InPrinciple, _In):
    """The police's answer to a pending recommendation."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"decision": "declined", "decline_reason": "We cannot publish weekly; we will publish monthly instead.",
     "decline_code": "not_workable"},
    {"decision": "declined", "decline_reason": "Street lights are not ours to fix.", "decline_code": "no_power",
     "who_can": "the local council"},
    {"decision": "in_principle", "reason": "We like the idea. We must find the money first.",
     "decide_by": "2026-06-30"}]})

    decision: Literal["agreed", "declined", "in_principle"]
    decline_reason: Optional[DeclineReason] = Field(default=None, max_length=2000, description=DECLINE_REASON_HELP)
    decline_code: Optional[DeclineCode] = Field(default=None, description=DECLINE_CODE_HELP)
    who_can: Optional[PublicLine] = Field(default=None, min_length=1, max_length=200, description=WHO_CAN_HELP)
    commitment: Optional[CommitmentIn] = None
    reason: Optional[PlainReason] = Field(default=None, max_length=2000, description=PRINCIPLE_REASON_HELP)
    decide_by: Optional[BoundedDate] = Field(default=None, description=DECIDE_BY_HELP)

    def problems(self, raised_on: dt.date, today: dt.date | None = None) -> list[dict]:
        out = []
        if self.decision == "agreed" and self.commitment is None:
            out.append({"field": "commitment", "message": "decision is 'agreed' but there is no commitment",
                        "fix": "Add commitment {action, done_means, owner, due}."})
        if self.decision == "declined" and not self.decline_reason:
            out.append({"field": "decline_reason", "message": "decision is 'declined' but there is no reason",
                        "fix": "Add a decline_reason the panel can read."})
        if self.decision != "agreed" and self.commitment is not None:
            out.append({"field": "commitment", "message": f"decision is '{self.decision}' but a commitment was sent",
                        "fix": "Remove the commitment."})
        out += self.decline_problems() + self.principle_problems(today)
        if self.commitment and self.commitment.due < raised_on:
            out.append({"field": "commitment.due", "message": "is before the recommendation was raised",
                        "fix": "Use a due date on or after the day it was raised."})
        return out
