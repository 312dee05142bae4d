"""A notice and one recipient to an email through the templates: text and HTML parts,
autoescaped, with the (notice, recipient) Message-ID so a resend is recognisable.
What goes in (links, subject, headers) is decided in `domain/email_rules.py`; which language
it speaks in `domain/email_language.py` (docs/contract.md §8.4): each part is rendered inside
`i18n.speaking`, and a bilingual email is the Welsh part, then the English, in one message."""

from __future__ import annotations

import datetime as dt
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from schemas import Notice
from services.common import i18n_web
from services.common.i18n import gettext as _
from services.common.i18n import locale_dir, speaking
from services.notifier.domain import notice_words
from services.notifier.domain.deadline_calendar import deadline
from services.notifier.domain.email_language import (
    content_language,
    digest_known_language,
    email_languages,
    known_language,
)
from services.notifier.domain.email_rules import digest_subject, header_value, me_url, respond_url
from services.notifier.domain.message_ids import message_id

OWN = locale_dir(__file__)
LONDON = ZoneInfo("Europe/London")
# Between the Welsh and the English of a bilingual text part.
TEXT_BETWEEN = "\n" + "=" * 40 + "\n\n"


def _env() -> Environment:
    env = Environment(loader=PackageLoader("services.notifier", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=False, keep_trailing_newline=True)
    i18n_web.install(env)  # gettext, long_date and the rest, speaking whatever `speaking` says
    env.globals["fixed"] = notice_words.fixed
    return env


def _headers(msg: EmailMessage, **values: str) -> None:
    for name, value in values.items():
        msg[name.replace("_", "-")] = header_value(value)


_ENV = _env()
# Long subjects fold badly at 78 characters (a stray leading space); 998 is SMTP's real limit.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Part:
    """One language's words of an email."""

    lang: str
    subject: str
    text: str
    html: Markup


def _message(parts: list[Part], title: str, **headers: str) -> EmailMessage:
    langs = tuple(p.lang for p in parts)
    msg = EmailMessage(policy=_POLICY)
    _headers(msg, Subject=" / ".join(p.subject for p in parts), **headers)
    msg.set_content(TEXT_BETWEEN.join(p.text for p in parts))
    html = _ENV.get_template("email.html").render(parts=parts, html_lang=langs[0], title=title)
    msg.add_alternative(html, subtype="html")
    return msg


def _says(msg: EmailMessage, langs: tuple[str, ...]) -> EmailMessage:
    # Last: adding a part moves the message's Content-* headers down into that part.
    msg["Content-Language"] = content_language(langs)
    return msg


class EmailRenderer:
    """`welsh_standards`: email to someone whose language is unknown is bilingual, Welsh first."""

    def __init__(self, welsh_standards: bool = False) -> None:
        self.welsh_standards = welsh_standards

    def render(self, notice: Notice, recipient: str, sender: str, now: dt.datetime) -> EmailMessage:
        langs = email_languages(known_language(notice.languages, recipient), self.welsh_standards)
        ctx = {"notice": notice, "respond_url": respond_url(notice, recipient), "me_url": me_url(notice)}
        today = now.astimezone(LONDON).date()
        parts = [self._notice_part(lang, ctx, today) for lang in langs]
        msg = _message(parts, " / ".join(p.subject for p in parts), From=sender, To=recipient,
                       Date=format_datetime(now), Message_ID=message_id(str(notice.id), recipient),
                       X_Followthrough_Notice=str(notice.id))
        if notice.kind == "reminder":
            calendar = deadline(notice, now, langs)
            if calendar:
                msg.add_attachment(calendar, maintype="text", subtype="calendar", filename="deadline.ics")
        return _says(msg, langs)

    @staticmethod
    def _notice_part(lang: str, ctx: dict, today: dt.date) -> Part:
        notice = ctx["notice"]
        with speaking(lang, OWN):
            ctx = {**ctx, "reason": notice_words.reason(notice, today)}
            return Part(lang, notice_words.subject(notice), _ENV.get_template("notice.txt").render(ctx),
                        Markup(_ENV.get_template("notice.html").render(ctx)))

    def render_digest(self, items: list[Notice], recipient: str, sender: str, message_id_: str,
                      now: dt.datetime) -> EmailMessage:
        """Several reminders to one person in one email."""
        langs = email_languages(digest_known_language(items, recipient), self.welsh_standards)
        today = now.astimezone(LONDON).date()
        parts, titles = [], []
        for lang in langs:
            with speaking(lang, OWN):
                ctx = {"entries": [{"notice": n, "reason": notice_words.reason(n, today)} for n in items]}
                parts.append(Part(lang, digest_subject(len(items)), _ENV.get_template("digest.txt").render(ctx),
                                  Markup(_ENV.get_template("digest.html").render(ctx))))
                titles.append(_("Daily digest"))
        return _says(_message(parts, " / ".join(titles), From=sender, To=recipient, Date=format_datetime(now),
                              Message_ID=message_id_), langs)


_DEFAULT = EmailRenderer()
render = _DEFAULT.render
render_digest = _DEFAULT.render_digest
