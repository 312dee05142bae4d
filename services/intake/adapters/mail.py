"""The sign-in email and the mail server it goes to (SMTP): the `LinkMailer` of
`usecases/ports.py`. One connection per email: facilitators ask for a few a day."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib

from services.intake.domain.signin import LINK_MINUTES
from services.intake.domain.signinmail import SendResult

# Where a send waits on the server: connecting (greeting, EHLO, STARTTLS, AUTH), the envelope
# and the message. aiosmtplib bounds each command by the timeout, not the whole exchange.
SEND_STAGES = 3


def compose(sender: str, to: str, link: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = "Your followthrough sign-in link"
    msg["Message-ID"] = message_id
    msg.set_content(
        f"To sign in and record your panel's session, open this link:\n\n{link}\n\n"
        f"It works once, for {LINK_MINUTES} minutes. If you did not ask for it, you can ignore this email: "
        "nobody can sign in without it.\n")
    return msg


class SmtpLinkMailer:
    def __init__(self, host: str, port: int, *, sender: str, username: str | None, password: str | None,
                 starttls: bool, timeout: float) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout
        self.longest_send = timeout * SEND_STAGES

    async def send(self, to: str, link: str, message_id: str) -> SendResult:
        try:
            async with asyncio.timeout(self.longest_send):
                await aiosmtplib.send(compose(self.sender, to, link, message_id), hostname=self.host, port=self.port,
                                      username=self.username, password=self.password, start_tls=self.starttls,
                                      timeout=self.timeout)
            return SendResult(ok=True)
        except aiosmtplib.SMTPRecipientsRefused:  # its text names the address: not for the log
            return SendResult(ok=False, permanent=True, error="recipient refused")
        except aiosmtplib.SMTPResponseException as exc:
            return SendResult(ok=False, permanent=exc.code >= 500, error=f"{exc.code} {_first_line(exc.message)}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendResult(ok=False, error=type(exc).__name__)


def _first_line(value) -> str:
    """An error for the log: one line, never the message (it holds the link)."""
    return str(value).splitlines()[0][:200] if str(value) else ""
