"""The panel's Atom feed and deadlines calendar (contract §5): no email addresses. Their words speak the
`?lang=` their link carries, else the panel's language (docs/contract.md §8.4); what people wrote stays
as written."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from services.common import dates, i18n
from services.common.i18n import _
from services.common.problems import NOT_FOUND
from services.tracker.usecases import panelview
from services.tracker.web import replyview, views
from services.tracker.web.views import aware

router = APIRouter(include_in_schema=False)


@router.get("/panels/{slug}/feed.xml")
def panel_feed(slug: str, request: Request) -> Response:
    i18n.use_panel_language(panelview.panel_language(request.app.state.engine, slug))
    snap = panelview.panel_snapshot(request.app.state.engine, slug)
    if snap is None:
        raise NOT_FOUND(f"There is no panel {slug}.")
    panel, rows, recs, entries = snap.panel, snap.commitments, snap.recommendations, snap.entries
    base = request.app.state.settings.public_url
    today = request.app.state.clock.today()
    fg = FeedGenerator()
    fg.id(f"{base}/panels/{slug}")
    fg.title(_("%(panel)s: what police promised") % {"panel": panel.name})
    fg.link(href=f"{base}/panels/{slug}", rel="alternate")
    fg.link(href=f"{base}/panels/{slug}/feed.xml", rel="self")
    fg.language(i18n.HTML_LANG[i18n.language()])
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
        latest_change = (" " + _("Latest: %(what)s.") % {"what": view.timeline[-1]["what"]}) if view.timeline else ""
        said = _("You said: %(said)s. Due %(day)s.") % {"said": view.said, "day": view.due}
        fe.content(f"{said} {view.status_words}.{latest_change}", type="text")
    latest = max([latest, *_reply_entries(fg, snap, base)])
    fg.updated(latest)
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")


def _revised(row, entries: dict) -> dt.datetime:
    """When the commitment last changed: its latest timeline entry."""
    return max((aware(e.at) for e in entries.get(row.id, [])), default=aware(row.created_at))


def _reply_entries(fg: FeedGenerator, snap: panelview.PanelSnapshot, base: str) -> list[dt.datetime]:
    """The panel's replies to decisions, one entry each; returns when each was sent."""
    slug, recs = snap.panel.slug, snap.recommendations
    titles = {rid: views.title_of(r) for rid, r in recs.items()}
    answers = replyview.collect(snap.replies, titles)
    sent = []
    for rec_id, entries in answers.by_rec.items():
        for a in entries:
            at = aware(a["at"])
            sent.append(at)
            fe = fg.add_entry(order="append")
            fe.id(f"urn:followthrough:reply:{a['id']}")
            fe.title(f"{a['what']}: {titles[rec_id]}" if rec_id in titles else a["what"])
            fe.link(href=f"{base}/panels/{slug}#r-{rec_id}")
            fe.updated(at)
            comment = (" " + _("You said: %(said)s") % {"said": a["comment"]}) if a["comment"] else ""
            fe.content(f"{a['what']}.{comment}", type="text")
    return sent


@router.get("/panels/{slug}/deadlines.ics")
def panel_calendar(slug: str, request: Request) -> Response:
    i18n.use_panel_language(panelview.panel_language(request.app.state.engine, slug))
    snap = panelview.panel_snapshot(request.app.state.engine, slug)
    if snap is None:
        raise NOT_FOUND(f"There is no panel {slug}.")
    panel, rows, recs = snap.panel, snap.commitments, snap.recommendations
    cal = Calendar()
    cal.add("prodid", "-//followthrough//panel deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("%(panel)s: police deadlines") % {"panel": panel.name})
    for r in rows:
        event = Event()
        event.add("uid", f"{r.id}@followthrough.invalid")
        # RFC 5545 §3.8.7.2: without METHOD, when the information was last revised. Its timeline says so,
        # and a replayed tracker shows the same (a row's created_at is when this database received it).
        event.add("dtstamp", _revised(r, snap.entries))
        event.add("dtstart", r.due)
        event.add("dtend", dates.add_days(r.due, 1))  # a far date from an event stops at the calendar's end
        event.add("summary", (_("Due: %(action)s") % {"action": r.action})[:200])
        event.add("description", _("You said: %(said)s. Status: %(status)s.")
                  % {"said": views.title_of(recs[r.recommendation_id]), "status": _(_status_words(r))})
        cal.add_component(event)
    return Response(cal.to_ical(), media_type="text/calendar")


def _status_words(row) -> str:
    """A kept promise says whether the panel checked it (contract §5), as on the page."""
    kept_by = getattr(row, "kept_by", None) if row.status == "kept" else None
    return views.KEPT_WORDS.get(kept_by or "", views.STATUS_WORDS[row.status])[0]
