"""What goes into an email, decided before any template: who gets the respond link, the
digest's subject, and header values kept to one line."""

from __future__ import annotations

import re

from schemas import Notice
from services.common.i18n import ngettext

# The owner's signed link is for the owner alone; these go to people who are not the owner
# (owner_unreachable: the supervisor, asked to hand over through the route its text names).
NO_RESPOND_LINK = ("review", "response_due", "insisted", "owner_unreachable")

# Control characters (C0, DEL, C1 with NEL) and the Unicode line and paragraph separators:
# each ends a header line for Python's email package, which refuses them. Titles come
# from people (a pasted title can carry any of them); the subject must stay one line.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(text: str) -> str:
    """Fold every run of control or line-separator characters to one space."""
    return _LINE_BREAKING.sub(" ", text).strip()


def respond_url(notice: Notice, recipient: str) -> str | None:
    # The respond link is signed for the owner, who is first on every ladder that has one.
    if recipient == notice.recipients[0] and notice.kind not in NO_RESPOND_LINK:
        return notice.respond_url
    return None


def me_url(notice: Notice) -> str | None:
    """The recipient's own page of every commitment they own or answer for (the tracker's `/me`, contract
    §8.1), on the tracker that made the notice: its panel-page link names that tracker's public URL."""
    base, sep, _ = notice.status_url.rpartition("/panels/")
    return f"{base}/me" if sep else None


def digest_subject(count: int) -> str:
    """In the language being spoken (Welsh counts in six plural forms)."""
    return ngettext("Daily digest: %(num)d reminder from followthrough",
                    "Daily digest: %(num)d reminders from followthrough", count) % {"num": count}
