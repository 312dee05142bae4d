"""An iCalendar file for a reminder, so the deadline lands in the calendar (text only, no I/O).
Its words speak the email's language or languages (`langs`, Welsh first when both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from schemas import Notice
from services.common.i18n import gettext as _
from services.common.i18n import locale_dir, speaking

_OWN = locale_dir(__file__)


def deadline(notice: Notice, now: dt.datetime, langs: Sequence[str] = ("en",)) -> bytes | None:
    due = notice.facts.due
    if due is None:
        return None
    summaries, descriptions = [], []
    for lang in langs:
        with speaking(lang, _OWN):
            summaries.append(_("Due: %(action)s") % {"action": notice.facts.action})
            descriptions.append(_("Done means: %(done)s") % {"done": notice.facts.done_means} + "\n"
                                + _("Panel page: %(url)s") % {"url": notice.status_url})
    cal = Calendar()
    cal.add("prodid", "-//followthrough//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{notice.commitment_id or notice.recommendation_id}-{due.isoformat()}@followthrough.invalid")
    event.add("dtstamp", now)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", " / ".join(summaries)[:200])
    event.add("description", "\n\n".join(descriptions))
    cal.add_component(event)
    return cal.to_ical()
