"""Sending a facilitator's sign-in link by email (SMTP)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import structlog

from services.common.settings import secret
from services.intake.domain.signin import LINK_MINUTES

log = structlog.get_logger()


async def send_link(settings, to: str, url: str) -> None:
    """Email the link; a failure is logged, never shown (the page must not tell who is known)."""
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.smtp_from, to
    msg["Subject"] = "Your followthrough sign-in link"
    msg["Message-ID"] = make_msgid(domain="followthrough.intake")
    msg.set_content(
        f"To sign in and record your panel's session, open this link:\n\n{url}\n\n"
        f"It works once, for {LINK_MINUTES} minutes. If you did not ask for it, you can ignore this email: "
        "nobody can sign in without it.\n")
    try:
        await aiosmtplib.send(msg, hostname=settings.smtp_host, port=settings.smtp_port,
                              username=settings.smtp_username, password=secret(settings.smtp_password),
                              start_tls=settings.smtp_starttls, timeout=settings.smtp_timeout)
        log.info("signin.link_sent")
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("signin.email_failed", error=type(exc).__name__)
