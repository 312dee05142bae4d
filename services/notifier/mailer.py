"""The one seam to the mail server: `send(message) -> SendResult`."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib


@dataclass(frozen=True)
class SendResult:
    ok: bool
    recoverable: bool = True  # worth trying again later
    error: str | None = None


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> SendResult: ...


class SmtpMailer:
    def __init__(self, host: str, port: int, *, username: str | None, password: str | None,
                 starttls: bool, timeout: float) -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.starttls, self.timeout = starttls, timeout

    async def send(self, message: EmailMessage) -> SendResult:
        try:
            await aiosmtplib.send(
                message, hostname=self.host, port=self.port, username=self.username, password=self.password,
                start_tls=self.starttls, timeout=self.timeout,
            )
            return SendResult(ok=True)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return SendResult(ok=False, recoverable=False, error=f"recipient refused: {exc}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendResult(ok=False, recoverable=True, error=f"{type(exc).__name__}: {exc}")
