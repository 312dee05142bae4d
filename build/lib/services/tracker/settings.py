from __future__ import annotations

from limits import parse
from pydantic import Field, field_validator

from services.common.settings import CommonSettings


class TrackerSettings(CommonSettings):
    followthrough_scan_interval: float = Field(default=60.0, gt=0, description="seconds between scheduler passes")
    followthrough_audit_interval: float = Field(default=300.0, gt=0, description="seconds between auditor passes")
    followthrough_policy_file: str | None = None
    respond_link_days: int = 30
    followthrough_access_code_attempts: int = Field(
        default=10, ge=1, le=1000, description="wrong panel access codes a client may try in 15 minutes")
    # Per client and replica (the `limits` library's moving window); see ratelimit.py.
    followthrough_page_rate_limit: str = Field(default="120/minute", description="GET of public pages per client")
    followthrough_verdict_rate_limit: str = Field(default="20/minute", description="verdict POSTs per client")

    @field_validator("followthrough_page_rate_limit", "followthrough_verdict_rate_limit")
    @classmethod
    def _a_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit: write it like 120/minute or 5/second") from None
        return value
