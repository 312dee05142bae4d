"""The mail server: `send(message) -> SendResult` over a few kept SMTP connections
(the `Mailer` the use cases ask)."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib

from services.notifier.domain.delivery import SendResult

# Where a send waits on the server: getting a connection (connect, greeting, EHLO,
# STARTTLS, AUTH, or a RSET on a kept one), the envelope (MAIL, RCPT) and the message
# (DATA and its end, where servers scan). aiosmtplib bounds each command by the timeout,
# not the exchange, so the mailer bounds the whole send by the timeout times these stages.
SEND_STAGES = 3


class SmtpMailer:
    """Keeps a few SMTP connections open and reuses them; a broken one is dropped."""

    def __init__(self, host: str, port: int, *, username: str | None, password: str | None,
                 starttls: bool, timeout: float, connections: int = 4) -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.starttls, self.timeout = starttls, timeout
        self.longest_send = timeout * SEND_STAGES
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._connections, self._busy = connections, 0

    def free_slots(self) -> int:
        """Sends that can start now without waiting for a connection slot."""
        return max(0, self._connections - self._busy)

    async def send(self, message: EmailMessage) -> SendResult:
        if self._slots is None:  # created on the loop that sends
            self._slots, self._idle = asyncio.Semaphore(self._connections), asyncio.LifoQueue()
        self._busy += 1
        try:
            async with self._slots:
                return await self._send(message)
        finally:
            self._busy -= 1

    async def _send(self, message: EmailMessage) -> SendResult:
        client = None
        try:
            async with asyncio.timeout(self.longest_send):
                client = await self._client()
                await client.send_message(message)
            self._idle.put_nowait(client)
            return SendResult(ok=True)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self._idle.put_nowait(client)  # the connection is fine; the address is not
            return SendResult(ok=False, recoverable=False, error=f"recipient refused: {exc}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            _drop(client)
            return SendResult(ok=False, recoverable=True, error=f"{type(exc).__name__}: {exc}")
        except BaseException:
            _drop(client)  # a surprise (or cancellation): the caller decides; the connection is not reused
            raise

    async def _client(self) -> aiosmtplib.SMTP:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                try:
                    await client.rset()  # a cheap check that the server still answers
                    return client
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    pass
            _drop(client)
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout,
                                 start_tls=self.starttls)
        await client.connect()
        if self.username:
            await client.login(self.username, self.password or "")
        return client


def _drop(client: aiosmtplib.SMTP | None) -> None:
    """Close without QUIT: after a broken exchange a polite goodbye could wait another timeout,
    outside the send's bound."""
    if client is not None:
        client.close()
