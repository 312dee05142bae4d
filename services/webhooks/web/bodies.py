"""The subscription API's request bodies (docs/contract.md §8.3). Admin input that is never shown on a
public page nor sent in an event: the receiver's URL is called, never published; the owner's address is
emailed once if the subscription is disabled."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=4000, description="the receiver's http(s) URL; a public address")
    types: list[str] = Field(description='event types of docs/contract.md §3, or ["*"] for every public one')
    signature: Literal["v1", "v1a"] = Field(
        default="v1",
        description="v1: HMAC-SHA256 with a shared secret; v1a: ed25519, the receiver holds the public key")
    owner_email: EmailStr | None = Field(default=None, description="who is emailed if the subscription is disabled")


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: dt.datetime = Field(alias="from", description="events whose time is at or after this")
    end: dt.datetime = Field(alias="to", description="and before this")
