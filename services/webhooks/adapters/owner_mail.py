"""The one email to a subscription's owner when its deliveries stop (410 Gone from the receiver,
or the retry schedule spent): what stopped, why, and what to do. One connection per email:
subscriptions are disabled rarely. The email holds no key and no event data."""

from __future__ import annotations

import asyncio
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import structlog

from services.common.settings import secret

log = structlog.get_logger()
SEND_STAGES = 3  # aiosmtplib bounds each command by the timeout: connect, envelope, message


def compose(sender: str, to: str, sub, reason: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = f"followthrough webhooks: subscription {sub.id} is disabled"
    msg["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex, domain="followthrough.webhooks")
    msg.set_content(
        f"We have stopped sending events to {sub.url} (subscription {sub.id}).\n\n"
        f"Why: {reason}\n\n"
        "Events are no longer delivered to it and nothing more will be retried. When the receiver works "
        "again, ask your followthrough administrator to create a new subscription; events missed meanwhile "
        "can be sent again with a replay of a time range.\n")
    return msg


async def tell_owner(settings_like, sub, reason: str) -> bool:
    """Email `sub.owner_email` once; True when the mail server took it. Failures are logged, not
    raised: the caller has already recorded that the owner was told (so replicas send one email)."""
    if not sub.owner_email:
        return False
    s = settings_like
    timeout = float(s.smtp_timeout)
    try:
        async with asyncio.timeout(timeout * SEND_STAGES):
            await aiosmtplib.send(compose(s.smtp_from, sub.owner_email, sub, reason), hostname=s.smtp_host,
                                  port=s.smtp_port, username=s.smtp_username, password=secret(s.smtp_password),
                                  start_tls=s.smtp_starttls, timeout=timeout)
        return True
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        # Its text may name the address: log the kind only.
        log.warning("webhooks.owner_mail_failed", subscription=sub.id, error=type(exc).__name__)
        return False
