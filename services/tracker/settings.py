from __future__ import annotations

from pydantic import Field

from services.common.settings import CommonSettings


class TrackerSettings(CommonSettings):
    followthrough_scan_interval: float = Field(default=60.0, gt=0, description="seconds between scheduler passes")
    followthrough_audit_interval: float = Field(default=300.0, gt=0, description="seconds between auditor passes")
    followthrough_policy_file: str | None = None
    followthrough_secret_key: str = Field(default="change-me-in-production",
                                          description="signs respond links and form tokens")
    respond_link_days: int = 30
