"""What the use cases ask of the outside, as protocols: the delivery ledger, the mailer and
the email renderer. The adapters implement them (`adapters/sql_ledger.py`,
`adapters/smtp_mailer.py`, `adapters/email_renderer.py`); unit tests pass in-memory fakes."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Protocol

from schemas import Notice
from services.notifier.domain.delivery import Claim, SendResult
from services.notifier.domain.stuck import StuckRule


class DeliveryLedger(Protocol):
    """Each method is one transaction. A result is written only while the claim still holds
    its row (compare-and-set on the claim's token); False when it did not (nothing written).
    `notice.delivered` and `notice.failed` are written in the same transaction as the result."""

    def record_notices(self, batch: list[Notice], now: dt.datetime,
                       digest_at: dt.datetime | None = None) -> int: ...

    def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> list[Claim]: ...

    def claim_digests(self, now: dt.datetime, recipients: int, limit: int = 500) -> dict[str, list[Claim]]: ...

    def mark_sent(self, c: Claim, now: dt.datetime, message_id_: str | None = None) -> bool: ...

    def mark_failed(self, c: Claim, now: dt.datetime, error: str, retry_at: dt.datetime | None,
                    retry_state: str = "pending") -> bool: ...

    def stuck(self, now: dt.datetime, rule: StuckRule, sample: int = 5) -> tuple[int, list[tuple[str, str, str]]]: ...


class Mailer(Protocol):
    longest_send: float  # seconds one send can take, at most

    def free_slots(self) -> int: ...

    async def send(self, message: EmailMessage) -> SendResult: ...


class Renderer(Protocol):
    def render(self, notice: Notice, recipient: str, sender: str, now: dt.datetime) -> EmailMessage: ...

    def render_digest(self, items: list[Notice], recipient: str, sender: str, message_id_: str,
                      now: dt.datetime) -> EmailMessage: ...
