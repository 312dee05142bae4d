from __future__ import annotations

from limits import parse
from pydantic import Field, field_validator

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
        default="5/15 minutes", description="sign-in requests per client address, and per email address and client")
    # Above what one client may ask for an address, so only many clients together meet it: a
    # stranger's requests never use up a facilitator's own links, and nobody fills an inbox.
    followthrough_signin_address_limit: str = Field(
        default="20/hour", description="sign-in emails per email address, from all clients together")

    @property
    def intake_url(self) -> str:
        return self.followthrough_intake_public_url.rstrip("/")

    @field_validator("followthrough_signin_rate_limit", "followthrough_signin_address_limit")
    @classmethod
    def _a_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit: write it like 5/15 minutes or 20/hour") from None
        return value
