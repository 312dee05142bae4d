from __future__ import annotations

import datetime as dt

from pydantic import Field

from services.common.settings import CommonSettings


class NotifierSettings(CommonSettings):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "followthrough <noreply@followthrough.example>"
    smtp_starttls: bool = Field(default=False, description="upgrade with STARTTLS before login")
    smtp_timeout: float = 20.0
    followthrough_delivery_give_up_hours: float = Field(
        default=24.0, gt=0, description="a notice still failing after this is reported as notice.failed")
    followthrough_delivery_lease_seconds: float = Field(
        default=60.0, gt=0, description="a claim older than this is taken to be a crash, and sent again")
    followthrough_delivery_max_backoff_seconds: float = Field(default=600.0, gt=0)
    followthrough_digest_at: dt.time | None = Field(
        default=None, description="London time of the daily reminder digest (e.g. 08:00); unset: no digest")
