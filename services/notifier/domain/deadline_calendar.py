"""An iCalendar file for a reminder, so the deadline lands in the calendar (text only, no I/O)."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from schemas import Notice


def deadline(notice: Notice, now: dt.datetime) -> bytes | None:
    due = notice.facts.due
    if due is None:
        return None
    cal = Calendar()
    cal.add("prodid", "-//followthrough//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{notice.commitment_id or notice.recommendation_id}-{due.isoformat()}@followthrough.invalid")
    event.add("dtstamp", now)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", f"Due: {notice.facts.action}"[:200])
    event.add("description", f"Done means: {notice.facts.done_means}\nPanel page: {notice.status_url}")
    cal.add_component(event)
    return cal.to_ical()
