from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field

from services.common.settings import CommonSettings, SmtpSettings


class WebhooksSettings(SmtpSettings, CommonSettings):
    followthrough_webhooks_allow_private: bool = Field(
        default=False, description="`true` lets deliveries go to loopback, private and link-local addresses: only "
                                   "for a receiver inside your own network (docs/contract.md §8.3)")
    followthrough_webhooks_timeout: float = Field(
        default=15.0, gt=0, le=300, description="seconds one call to a receiver may take, connecting included")
    followthrough_webhooks_rotation_overlap_hours: float = Field(
        default=24.0, ge=0, le=24 * 30, description="after a key rotation, hours the old key signs beside the new")
    followthrough_webhooks_lease_seconds: float = Field(
        default=30.0, gt=0, description="how long a replica holds a subscription's worker without renewing it; "
                                        "after a crash another replica takes it over this long later")
    followthrough_webhooks_origin: str | None = Field(
        default=None, description="the handshake's WebHook-Request-Origin; unset: the host of "
                                  "FOLLOWTHROUGH_PUBLIC_URL")

    @property
    def webhooks_origin(self) -> str:
        """What receivers agree to in the handshake: a host name, as the CloudEvents webhook spec's examples."""
        if self.followthrough_webhooks_origin:
            return self.followthrough_webhooks_origin.strip()
        return urlsplit(self.public_url).hostname or "followthrough"
