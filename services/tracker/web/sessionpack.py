"""The session pack `GET /panels/{slug}/session` (contract §5): one printable page (A4, and a phone) for
the panel's next meeting. Since the last session (`?since=YYYY-MM-DD`; by default the latest day a
recommendation of this panel was raised, or 28 days ago if none): what is new, what is late, what
waits for the panel's check, what was declined and why (and who can act, when police lack the power),
the panel's answers to police decisions, what was kept and what changed for the young people, and the
trust pulse so far. The right of reply is worded as on the panel's page (web/replyview.py). Each list
is cut short (the panel's page has the rest), so the pack fits one A4 sheet where the content allows.
No JavaScript, no email address. The panel's access code has a line to be written in by hand: the
tracker keeps only a hash of it (web/remember.py)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.common import dates, i18n
from services.common.clock import LONDON
from services.common.i18n import _
from services.tracker.domain.rules import OWING
from services.tracker.usecases import panelview
from services.tracker.web import replyview, reportsummary, views
from services.tracker.web.look import message_page, templates
from services.tracker.web.pulse import pulse_view

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 28
LIMIT = 6  # items per list: one A4 sheet; the rest are on the panel's page
NEWS = {"updated", "extended", "completed", "withdrawn", "extension_requested"}


@router.get("/panels/{slug}/session", response_class=HTMLResponse)
def session_pack(slug: str, request: Request, since: Optional[str] = None) -> Response:
    state = request.app.state
    today = state.clock.today()
    # Before any words: the pack speaks the panel's language unless the visitor chose one (the cache keys on it).
    i18n.use_panel_language(panelview.panel_language(state.engine, slug))
    try:
        since_day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        return message_page(request, 422, _("Check the date"),
                            _("Write the day of your last meeting like this: 2026-11-05 (year, month, day)."))
    if since_day and since_day > today:
        return message_page(request, 422, _("Check the date"), _("The day of your last meeting cannot be after today."))
    if since_day and dates.out_of_range(since_day, today):
        first, last = dates.bounds(today)
        return message_page(request, 422, _("Check the date"),
                            _("The day of your last meeting must be within %(years)s years of today: use a date "
                              "between %(first)s and %(last)s.") % {"years": dates.YEARS, "first": first.isoformat(),
                                                                    "last": last.isoformat()})
    url = state.settings.public_url
    i18n.keep_in_twin(since=since_day)  # everyone gets this copy: nothing else of the first visitor's address
    html = state.page_cache.get(("session", slug, today, since_day),
                                lambda marker: render_session(state.engine, slug, today, since_day, url))
    if html is None:
        return message_page(request, 404, _("No such panel"),
                            _("We cannot find this panel. Check the link you were given."))
    return HTMLResponse(html)


def render_session(engine, slug: str, today: dt.date, since: dt.date | None, public_url: str) -> str | None:
    snap = panelview.panel_snapshot(engine, slug, today)
    if snap is None:
        return None
    panel, recs, rows, entries = snap.panel, snap.recommendations, snap.commitments, snap.entries
    since = since or snap.latest_raised() or today - dt.timedelta(days=DEFAULT_DAYS)
    pulse = pulse_view(snap.pulse, today, snap.answered)
    pairs = [(r, views.commitment_view(r, recs[r.recommendation_id], entries.get(r.id, []), today)) for r in rows]
    pending = [r for r in recs.values() if r.decision in OWING]
    summary = views.summary([v for _, v in pairs], len(pending))
    late = sorted((v for _, v in pairs if v.days_overdue), key=lambda v: -v.days_overdue)
    check = [{"c": v, "summary": views.what_changed(entries.get(r.id, []))} for r, v in pairs if v.awaiting_check]
    kept = sorted(((_day(_kept_at(entries.get(r.id, []))), v) for r, v in pairs if r.status == "kept"),
                  key=lambda kv: kv[0] or dt.date.min, reverse=True)
    titles = {rid: views.title_of(r) for rid, r in recs.items()}
    answers = replyview.collect(snap.replies, titles)
    declined = [{"title": views.title_of(r), "reason": r.decline_reason, "who_can": replyview.who_can_line(r),
                 "replies": answers.of(r.id)}
                for r in sorted((r for r in recs.values() if r.decision == "declined"), key=lambda r: r.raised_on,
                                reverse=True)]
    # The replies to what is still a decline are listed with it, under "Police said no"; these are the others
    # (to a promise, to a dropped promise, and an insisting that put a decline back to police).
    replied = [{"title": titles[r.recommendation_id], **replyview.entry(r, titles)} for r in reversed(snap.replies)
               if recs[r.recommendation_id].decision != "declined" and _day(r.at) >= since]
    new = {
        "promises": [v for r, v in pairs if r.agreed_on >= since],
        "waiting": [{"title": views.title_of(r), "respond_by": views.when(r.respond_by),
                     "in_principle": r.decision == "in_principle", "reason": r.principle_reason,
                     "decide_by": views.when(r.decide_by) if r.decide_by else None}
                    # yes in principle stays in the pack until police say yes or no for sure
                    for r in sorted(pending, key=lambda r: r.raised_on)
                    if r.raised_on >= since or r.decision == "in_principle"],
        "news": sorted(({"day": _day(e.at), "when": views.when(e.at), "said": titles[r.recommendation_id],
                         "what": views.entry_words(e.kind)}
                        for r in rows for e in entries.get(r.id, [])
                        if e.kind in NEWS and _day(e.at) >= since), key=lambda n: n["day"], reverse=True),
    }
    kept_since = [v for day, v in kept if day and day >= since]
    return templates.get_template("session.html").render({
        "panel": panel, "since": views.when(since), "since_iso": since.isoformat(), "today": views.when(today),
        "s": summary, "new": {k: v[:LIMIT] for k, v in new.items()},
        "more_new": {k: len(v) - LIMIT for k, v in new.items()},
        "late": late[:LIMIT], "more_late": len(late) - LIMIT,
        "check": check[:LIMIT], "more_check": len(check) - LIMIT,
        "declined": declined[:LIMIT], "more_declined": len(declined) - LIMIT,
        "replied": replied[:LIMIT], "more_replied": len(replied) - LIMIT,
        "kept": kept_since[:LIMIT], "more_kept": len(kept_since) - LIMIT, "pulse": pulse,
        "panel_url": f"{public_url.rstrip('/')}/panels/{slug}",
        "report_summary": reportsummary.panel_quarter(engine, slug, today),
    })


def _kept_at(entries: list) -> dt.datetime | None:
    """When it counted as kept: the panel's confirmation, or the end of the window for its check."""
    at = [e.at for e in entries if e.kind in ("confirmed", "kept")]
    return at[-1] if at else None


def _day(at: dt.datetime | None) -> dt.date | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(LONDON).date()
