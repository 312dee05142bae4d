"""The panel's Atom feed and deadlines calendar (contract §5): no email addresses."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from services.common import dates
from services.common.problems import NOT_FOUND
from services.tracker.usecases import panelview
from services.tracker.web import replyview, views
from services.tracker.web.views import aware

router = APIRouter(include_in_schema=False)


@router.get("/panels/{slug}/feed.xml")
def panel_feed(slug: str, request: Request) -> Response:
    snap = panelview.panel_snapshot(request.app.state.engine, slug)
    if snap is None:
        raise NOT_FOUND(f"There is no panel {slug}.")
    panel, rows, recs, entries = snap.panel, snap.commitments, snap.recommendations, snap.entries
    base = request.app.state.settings.public_url
    today = request.app.state.clock.today()
    fg = FeedGenerator()
    fg.id(f"{base}/panels/{slug}")
    fg.title(f"{panel.name}: what police promised")
    fg.link(href=f"{base}/panels/{slug}", rel="alternate")
    fg.link(href=f"{base}/panels/{slug}/feed.xml", rel="self")
    fg.language("en-GB")
    latest = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    for r in rows:
        view = views.commitment_view(r, recs[r.recommendation_id], entries.get(r.id, []), today)
        changed = _revised(r, entries)
        latest = max(latest, changed)
        fe = fg.add_entry(order="append")
        fe.id(f"urn:followthrough:commitment:{r.id}")
        fe.title(f"{view.status_words}: {view.action}")
        fe.link(href=f"{base}/panels/{slug}#c-{r.id}")
        fe.updated(changed)
        latest_change = f" Latest: {view.timeline[-1]['what']}." if view.timeline else ""
        fe.content(f"You said: {view.said}. Due {view.due}. {view.status_words}.{latest_change}", type="text")
    latest = max([latest, *_reply_entries(fg, snap, base)])
    fg.updated(latest)
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")


def _revised(row, entries: dict) -> dt.datetime:
    """When the commitment last changed: its latest timeline entry."""
    return max((aware(e.at) for e in entries.get(row.id, [])), default=aware(row.created_at))


def _reply_entries(fg: FeedGenerator, snap: panelview.PanelSnapshot, base: str) -> list[dt.datetime]:
    """The panel's replies to decisions, one entry each; returns when each was sent."""
    slug, recs = snap.panel.slug, snap.recommendations
    answers = replyview.collect(snap.replies, {rid: r.title for rid, r in recs.items()})
    sent = []
    for rec_id, entries in answers.by_rec.items():
        for a in entries:
            at = aware(a["at"])
            sent.append(at)
            fe = fg.add_entry(order="append")
            fe.id(f"urn:followthrough:reply:{a['id']}")
            fe.title(f"{a['what']}: {recs[rec_id].title}" if rec_id in recs else a["what"])
            fe.link(href=f"{base}/panels/{slug}#r-{rec_id}")
            fe.updated(at)
            comment = f" You said: {a['comment']}" if a["comment"] else ""
            fe.content(f"{a['what']}.{comment}", type="text")
    return sent


@router.get("/panels/{slug}/deadlines.ics")
def panel_calendar(slug: str, request: Request) -> Response:
    snap = panelview.panel_snapshot(request.app.state.engine, slug)
    if snap is None:
        raise NOT_FOUND(f"There is no panel {slug}.")
    panel, rows, recs = snap.panel, snap.commitments, snap.recommendations
    cal = Calendar()
    cal.add("prodid", "-//followthrough//panel deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{panel.name}: police deadlines")
    for r in rows:
        event = Event()
        event.add("uid", f"{r.id}@followthrough.invalid")
        # RFC 5545 §3.8.7.2: without METHOD, when the information was last revised. Its timeline says so,
        # and a replayed tracker shows the same (a row's created_at is when this database received it).
        event.add("dtstamp", _revised(r, snap.entries))
        event.add("dtstart", r.due)
        event.add("dtend", dates.add_days(r.due, 1))  # a far date from an event stops at the calendar's end
        event.add("summary", f"Due: {r.action}"[:200])
        event.add("description",
                  f"You said: {recs[r.recommendation_id].title}. Status: {views.STATUS_WORDS[r.status][0]}.")
        cal.add_component(event)
    return Response(cal.to_ical(), media_type="text/calendar")
