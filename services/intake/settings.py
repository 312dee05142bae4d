from __future__ import annotations

from pydantic import Field

from services.common.settings import CommonSettings, SmtpSettings


class IntakeSettings(SmtpSettings, CommonSettings):
    followthrough_policy_file: str | None = None
    # Where facilitators reach intake's pages: the sign-in link in an email starts with it, and
    # an https:// address makes the session cookie Secure.
    followthrough_intake_public_url: str = Field(
        default="http://127.0.0.1:8001", description="where facilitators reach intake (sign-in links)")
    followthrough_reply_consumer: bool = Field(
        default=True, description="consume the panels' replies (followthrough.replies): insist reopens a decline, "
                                  "counter records a pending recommendation")
    followthrough_max_csv_bytes: int = Field(default=5_000_000, ge=1024,
                                             description="largest CSV a facilitator may import in one request")
    followthrough_signin_rate_limit: str = Field(
        default="5/15 minutes", description="sign-in requests per client address (and per email address)")

    @property
    def intake_url(self) -> str:
        return self.followthrough_intake_public_url.rstrip("/")
