"""The sign-in email and the mail server it goes to (SMTP): the `LinkMailer` of
`usecases/ports.py`. One connection per email: facilitators ask for a few a day."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib

from services.common.i18n import _, locale_dir, speaking
from services.intake.domain.signin import LINK_MINUTES
from services.intake.domain.signinmail import SendResult, email_languages

OWN = locale_dir(__file__)

# Where a send waits on the server: connecting (greeting, EHLO, STARTTLS, AUTH), the envelope
# and the message. aiosmtplib bounds each command by the timeout, not the whole exchange.
SEND_STAGES = 3


def compose(sender: str, to: str, link: str, message_id: str, language: str | None = None) -> EmailMessage:
    """The email in the panel's language; both, Welsh first, for a bilingual panel or one not known."""
    subjects, bodies = [], []
    for lang in email_languages(language):
        with speaking(lang, OWN):
            subjects.append(_("Your followthrough sign-in link"))
            bodies.append(_("To sign in and record your panel's session, open this link:") + f"\n\n{link}\n\n"
                          + _("It works once, for %(minutes)s minutes. If you did not ask for it, you can ignore "
                              "this email: nobody can sign in without it.") % {"minutes": LINK_MINUTES} + "\n")
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = " / ".join(subjects)
    msg["Message-ID"] = message_id
    msg.set_content("\n".join(bodies))
    return msg


class SmtpLinkMailer:
    def __init__(self, host: str, port: int, *, sender: str, username: str | None, password: str | None,
                 starttls: bool, timeout: float) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout
        self.longest_send = timeout * SEND_STAGES

    async def send(self, to: str, link: str, message_id: str, language: str | None = None) -> SendResult:
        try:
            async with asyncio.timeout(self.longest_send):
                await aiosmtplib.send(compose(self.sender, to, link, message_id, language), hostname=self.host,
                                      port=self.port, username=self.username, password=self.password,
                                      start_tls=self.starttls, timeout=self.timeout)
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
