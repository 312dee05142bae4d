"""The one seam to the mail server: `send(message) -> SendResult`."""

from __future__ import annotations

import asyncio
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
    """Keeps a few SMTP connections open and reuses them; a broken one is dropped."""

    def __init__(self, host: str, port: int, *, username: str | None, password: str | None,
                 starttls: bool, timeout: float, connections: int = 4) -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.starttls, self.timeout = starttls, timeout
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._connections = connections

    async def send(self, message: EmailMessage) -> SendResult:
        if self._slots is None:  # created on the loop that sends
            self._slots, self._idle = asyncio.Semaphore(self._connections), asyncio.LifoQueue()
        async with self._slots:
            client = None
            try:
                client = await self._client()
                await client.send_message(message)
                self._idle.put_nowait(client)
                return SendResult(ok=True)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                self._idle.put_nowait(client)  # the connection is fine; the address is not
                return SendResult(ok=False, recoverable=False, error=f"recipient refused: {exc}")
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await _close(client)
                return SendResult(ok=False, recoverable=True, error=f"{type(exc).__name__}: {exc}")

    async def _client(self) -> aiosmtplib.SMTP:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                try:
                    await client.rset()  # a cheap check that the server still answers
                    return client
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    pass
            await _close(client)
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout,
                                 start_tls=self.starttls)
        await client.connect()
        if self.username:
            await client.login(self.username, self.password or "")
        return client


async def _close(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()
