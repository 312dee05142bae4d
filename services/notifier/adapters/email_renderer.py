"""A notice and one recipient to an email through the templates: text and HTML parts,
autoescaped, with the (notice, recipient) Message-ID so a resend is recognisable.
What goes in (links, subject, headers) is decided in `domain/email_rules.py`."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from schemas import Notice
from services.notifier.domain.deadline_calendar import deadline
from services.notifier.domain.email_rules import digest_subject, header_value, me_url, respond_url
from services.notifier.domain.message_ids import message_id


def _env() -> Environment:
    env = Environment(loader=PackageLoader("services.notifier", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=False, keep_trailing_newline=True)
    env.filters["longdate"] = lambda d: f"{d:%A %d %B %Y}" if isinstance(d, dt.date) else str(d)
    return env


def _headers(msg: EmailMessage, **values: str) -> None:
    for name, value in values.items():
        msg[name.replace("_", "-")] = header_value(value)


_ENV = _env()
# Long subjects fold badly at 78 characters (a stray leading space); 998 is SMTP's real limit.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def render(notice: Notice, recipient: str, sender: str, now: dt.datetime) -> EmailMessage:
    ctx = {"notice": notice, "respond_url": respond_url(notice, recipient), "me_url": me_url(notice)}
    msg = EmailMessage(policy=_POLICY)
    _headers(msg, Subject=notice.subject, From=sender, To=recipient, Date=format_datetime(now),
             Message_ID=message_id(str(notice.id), recipient), X_Followthrough_Notice=str(notice.id))
    msg.set_content(_ENV.get_template("notice.txt").render(ctx))
    msg.add_alternative(_ENV.get_template("notice.html").render(ctx), subtype="html")
    if notice.kind == "reminder":
        calendar = deadline(notice, now)
        if calendar:
            msg.add_attachment(calendar, maintype="text", subtype="calendar", filename="deadline.ics")
    return msg


def render_digest(items: list[Notice], recipient: str, sender: str, message_id_: str,
                  now: dt.datetime) -> EmailMessage:
    """Several reminders to one person in one email."""
    msg = EmailMessage(policy=_POLICY)
    _headers(msg, Subject=digest_subject(len(items)),
             From=sender, To=recipient, Date=format_datetime(now), Message_ID=message_id_)
    ctx = {"notices": items}
    msg.set_content(_ENV.get_template("digest.txt").render(ctx))
    msg.add_alternative(_ENV.get_template("digest.html").render(ctx), subtype="html")
    return msg
