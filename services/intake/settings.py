from __future__ import annotations

from services.common.settings import CommonSettings


class IntakeSettings(CommonSettings):
    followthrough_policy_file: str | None = None
