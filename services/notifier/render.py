"""A notice and one recipient to an email: text and HTML parts, autoescaped,
with a Message-ID derived from (notice, recipient) so a resend is recognisable."""

from __future__ import annotations

import datetime as dt
import email.policy
import re
import uuid
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from schemas import Notice
from services.notifier import ics

MESSAGE_NS = uuid.UUID("1b0e5f1c-3f8a-4c55-8f0e-2d7f6c9b5a20")
NO_RESPOND_LINK = ("review", "response_due", "insisted")


def message_id(notice_id: str, recipient: str) -> str:
    return f"<{uuid.uuid5(MESSAGE_NS, f'{notice_id}:{recipient.lower()}')}@followthrough.invalid>"


def digest_message_id(notice_ids: list[str], recipient: str) -> str:
    return message_id(",".join(sorted(notice_ids)), recipient)


def _env() -> Environment:
    env = Environment(loader=PackageLoader("services.notifier", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=False, keep_trailing_newline=True)
    env.filters["longdate"] = lambda d: f"{d:%A %d %B %Y}" if isinstance(d, dt.date) else str(d)
    return env


# Control characters (C0, DEL, C1 with NEL) and the Unicode line and paragraph separators:
# each ends a header line for Python's email package, which refuses them. Titles come
# from people (a pasted title can carry any of them); the subject must stay one line.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(text: str) -> str:
    """Fold every run of control or line-separator characters to one space."""
    return _LINE_BREAKING.sub(" ", text).strip()


def _headers(msg: EmailMessage, **values: str) -> None:
    for name, value in values.items():
        msg[name.replace("_", "-")] = header_value(value)


_ENV = _env()
# Long subjects fold badly at 78 characters (a stray leading space); 998 is SMTP's real limit.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def render(notice: Notice, recipient: str, sender: str, now: dt.datetime) -> EmailMessage:
    # The respond link is signed for the owner, who is first on every ladder that has one.
    respond = notice.respond_url if (recipient == notice.recipients[0] and notice.kind not in NO_RESPOND_LINK) else None
    ctx = {"notice": notice, "respond_url": respond}
    msg = EmailMessage(policy=_POLICY)
    _headers(msg, Subject=notice.subject, From=sender, To=recipient, Date=format_datetime(now),
             Message_ID=message_id(str(notice.id), recipient), X_Followthrough_Notice=str(notice.id))
    msg.set_content(_ENV.get_template("notice.txt").render(ctx))
    msg.add_alternative(_ENV.get_template("notice.html").render(ctx), subtype="html")
    if notice.kind == "reminder":
        calendar = ics.deadline(notice, now)
        if calendar:
            msg.add_attachment(calendar, maintype="text", subtype="calendar", filename="deadline.ics")
    return msg


def render_digest(items: list[Notice], recipient: str, sender: str, message_id_: str,
                  now: dt.datetime) -> EmailMessage:
    """Several reminders to one person in one email."""
    msg = EmailMessage(policy=_POLICY)
    _headers(msg, Subject=f"Daily digest: {len(items)} reminder{'s' if len(items) != 1 else ''} from followthrough",
             From=sender, To=recipient, Date=format_datetime(now), Message_ID=message_id_)
    ctx = {"notices": items}
    msg.set_content(_ENV.get_template("digest.txt").render(ctx))
    msg.add_alternative(_ENV.get_template("digest.html").render(ctx), subtype="html")
    return msg
