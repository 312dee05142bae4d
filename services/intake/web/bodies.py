"""What intake's API answers (the request bodies it reads are the domain's submissions)."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

from schemas.models import Text


class RecommendationCreated(BaseModel):
    recommendation_id: Text
    commitment_id: Optional[Text] = None
    status_url: Text


class PanelCreated(BaseModel):
    slug: Text
    access_code: Text = Field(description="shown once, like 7KQ2M-XH4PD (ten characters; case, spaces and hyphens "
                                          "do not matter when typed): give it to the panel's youth worker")
    status_url: Text


class PanelCreatedAgain(BaseModel):
    """A repeat (same Idempotency-Key and body) of a panel's registration: no access code."""
    slug: str
    status_url: str
    note: str
