from __future__ import annotations

import datetime as dt

from pydantic import Field

from services.common.settings import CommonSettings, SmtpSettings


class NotifierSettings(SmtpSettings, CommonSettings):
    smtp_connections: int = Field(default=4, ge=1, description="SMTP connections (concurrent sends) per notifier")
    followthrough_delivery_give_up_hours: float = Field(
        default=24.0, gt=0, description="a notice still failing after this is reported as notice.failed")
    # Unset: the shortest safe lease, a quarter more than the longest send (SMTP_TIMEOUT times
    # the three stages a send waits on: 75 s by default). A shorter value is raised to that.
    followthrough_delivery_lease_seconds: float | None = Field(
        default=None, gt=0, description="a claim older than this is taken to be a crash, and sent again")
    followthrough_delivery_max_backoff_seconds: float = Field(default=600.0, gt=0)
    followthrough_audit_interval: float = Field(
        default=300.0, gt=0, description="seconds between delivery auditor passes (followthrough_stuck_deliveries)")
    followthrough_digest_at: dt.time | None = Field(
        default=None, description="London time of the daily reminder digest (e.g. 08:00); unset: no digest")
    followthrough_welsh_standards: bool = Field(
        default=False, description="`true` (a force under the Welsh Language Standards): email to someone whose "
                                   "language is not known is bilingual, Welsh first; `false`: English. A known "
                                   "language is always used (contract §8.4)")
