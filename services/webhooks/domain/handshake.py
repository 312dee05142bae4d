"""The CloudEvents HTTP webhook validation handshake (its §4): before the first POST we send an OPTIONS
request with WebHook-Request-Origin, and deliver only if the receiver agrees. Without it, anyone who can
create a subscription could aim our traffic at a site that never asked for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from services.webhooks.domain.outcome import header


@dataclass(frozen=True)
class Consent:
    given: bool
    rate_per_minute: int | None  # None: no limit asked for
    reason: str


def consent(origin: str, status: int | None, headers: Mapping[str, str], error: str | None = None) -> Consent:
    """Whether the OPTIONS answer agrees to deliveries from `origin`, and at what rate."""
    if status is None:
        return Consent(False, None, f"the handshake got no answer: {error or 'no answer'}")
    if status not in (200, 204):
        return Consent(False, None, f"the handshake was answered HTTP {status}, not 200 or 204")
    allowed = header(headers, "webhook-allowed-origin")
    if allowed is None:
        return Consent(False, None, "the handshake's answer has no WebHook-Allowed-Origin header")
    allowed = allowed.strip()
    if allowed != "*" and allowed.lower() != origin.strip().lower():
        return Consent(False, None, f"the receiver allows the origin {allowed!r}, not {origin!r}")
    rate, note = _rate(header(headers, "webhook-allowed-rate"))
    return Consent(True, rate, "the receiver agreed" + note)


def _rate(value: str | None) -> tuple[int | None, str]:
    """The allowed requests per minute: a positive integer, or "*" or nothing for no limit. A value that
    cannot be read does not undo the receiver's consent; it is named in the reason so an operator sees it."""
    if value is None or value.strip() == "*":
        return None, ""
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 9 and int(value) > 0:
        return int(value), f" at {int(value)} requests a minute"
    return None, f" (its WebHook-Allowed-Rate {value!r} is not a positive number: no limit applied)"
