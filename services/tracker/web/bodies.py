"""What owners, admins and panels send to the tracker."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from services.common.dates import BoundedDate
from services.common.i18n import N_
from services.common.text import OneLine, PublicLine, PublicText, PublicUrl

# The API's words, and the form's (translated there), when a dispute says nothing.
DISPUTE_NEEDS_COMMENT = N_("say what is not done yet: a dispute needs a comment the owner can act on")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UpdateIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Briefing written; 12 of 40 officers briefed so far.", "percent": 30, "track": "on_track"},
        {"note": "The trainer is off sick until March.", "track": "significant_delay",
         "delay_reason": "The only trainer is off sick; we will brief the officers in March instead."},
        {"note": "All 40 officers briefed.", "done": True, "evidence_url": "https://intranet.example.org/briefing",
         "summary": "Every response officer now explains why they stop someone."}]})

    note: PublicText = Field(min_length=1, max_length=2000)
    percent: Optional[int] = Field(default=None, ge=0, le=100)
    evidence_url: Optional[PublicUrl] = Field(default=None, max_length=500, pattern=r"^https?://")
    evidence_note: Optional[PublicText] = Field(default=None, max_length=2000)
    done: bool = False
    summary: Optional[PublicText] = Field(default=None, max_length=500,
                                    description="plain words for the youth panel; needed with done")
    track: Optional[Literal["on_track", "minor_delay", "significant_delay", "not_started"]] = Field(
        default=None, description="how it is going; a significant delay said before the due date tells your "
                                  "supervisor at once, credited as an early warning")
    delay_reason: Optional[PublicText] = Field(
        default=None, max_length=1000, validate_default=True,
        description="why it is delayed, for the youth panel: needed with minor_delay and significant_delay")

    @field_validator("delay_reason")
    @classmethod
    def _reason_when_delayed(cls, value: str | None, info: ValidationInfo) -> str | None:
        track = info.data.get("track")
        if track in ("minor_delay", "significant_delay") and not value:
            raise ValueError(f"say why it is delayed: a {track.replace('_', ' ')} needs a delay_reason the youth "
                             "panel can read")
        return value if track in ("minor_delay", "significant_delay") else None


class OwnerIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"role": "Inspector, response team", "email": "new.inspector@example.org",
         "reason": "The previous owner moved to another borough."}]})

    role: PublicLine = Field(min_length=1, max_length=120)
    email: EmailStr
    name: Optional[PublicLine] = Field(default=None, max_length=120)
    reason: PublicText = Field(min_length=1, max_length=1000)


class ExtensionIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"new_due": "2026-06-30", "reason": "Training places are booked for June."}]})

    new_due: BoundedDate
    reason: PublicText = Field(min_length=1, max_length=1000, description="shown to the youth panel")


class WithdrawalIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "The scheme closed when funding ended; we told the panel at its March meeting."}]})

    reason: PublicText = Field(min_length=1, max_length=1000, description="shown to the youth panel")


class VerdictIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"verdict": "disputed", "comment": "Officers still do not say why they stop us.", "access_code": "…"}]})

    verdict: Literal["confirmed", "disputed"]
    comment: PublicText = Field(default="", max_length=1000, validate_default=True,
                                description="needed with disputed: what is not done yet (the owner and their "
                                            "supervisor read it); optional with confirmed")
    access_code: OneLine = Field(min_length=1, max_length=100)

    @field_validator("comment")
    @classmethod
    def _dispute_says_what(cls, value: str, info: ValidationInfo) -> str:
        # A bare "no" tells the owner nothing to fix (contract §5 "Closing the loop"); nor does one made of
        # invisible characters (a zero-width space, a braille blank), so it must hold a letter or a digit.
        if info.data.get("verdict") == "disputed" and not any(unicodedata.category(ch)[0] in "LN" for ch in value):
            raise ValueError(DISPUTE_NEEDS_COMMENT)
        return value


class ReopenIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"comment": "Officers stopped explaining why they stop us again this term.", "access_code": "…"}]})

    comment: PublicText = Field(min_length=1, max_length=1000,
                                description="what is not working any more: the owner and their supervisor read it")
    access_code: OneLine = Field(min_length=1, max_length=100)


class PulseIn(_In):
    """One anonymous answer: no name, no free text (contract §5)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"access_code": "…", "trust": 3, "kept": "not_sure"}]})

    access_code: OneLine = Field(min_length=1, max_length=100)
    trust: int = Field(ge=1, le=5, description="how much you trust the police to keep their promises, 1 (not at all) "
                                               "to 5 (completely)")
    kept: Literal["yes", "no", "not_sure"] = Field(description="did police keep their promises to the panel?")


class ReplyIn(_In):
    """The youth panel's answer to a police decision (contract §5)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reply": "insist", "comment": "Street lights matter to us: please ask again.", "access_code": "…"},
        {"reply": "counter", "title": "Walk the estate with us once a term", "comment": "If not weekly, then this.",
         "access_code": "…"}]})

    reply: Literal["accept", "insist", "counter"] = Field(
        description="accept the decision; insist (a decline goes back to the police with a new response clock; "
                    "a withdrawal is sent to the owner and their boss); counter (a new proposal, pending)")
    comment: PublicText = Field(default="", max_length=1000, description="shown on the panel's page")
    access_code: OneLine = Field(min_length=1, max_length=100)
    title: Optional[PublicLine] = Field(default=None, min_length=1, max_length=200,
                                        description="with counter: the new proposal in one line")
    detail: Optional[PublicText] = Field(default=None, max_length=5000,
                                         description="with counter: more about it (default: the comment)")


class ReplyOut(BaseModel):
    recommendation_id: str
    decision: Literal["agreed", "declined", "withdrawn"] = Field(description="the decision answered")
    reply: Literal["accept", "insist", "counter"]
    respond_by: Optional[dt.date] = Field(default=None, description="insist on a decline, or counter: the police "
                                                                    "answer again by this day")
    counter_id: Optional[str] = Field(default=None, description="counter: the new pending recommendation")
    status_url: str
