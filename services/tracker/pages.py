"""The server-rendered pages (SPEC §5): the panel's status page and its
verdict form, the police lead's respond page, the public register, and the
panel's Atom feed and deadlines calendar. They show no email addresses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.problems import Problem
from services.tracker import commands, views
from services.tracker.csrf import CsrfError
from services.tracker.links import LinkError
from services.tracker.store import commitments, panels, recommendations, timeline

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
VERDICT_MESSAGES = {"confirmed": "Thank you. You said it is done.",
                    "disputed": "Thank you. You said it is not done, so senior police will be told."}
RESPOND_MESSAGES = {"update": "Your update is posted. The panel can see it now.",
                    "done": "Marked done. The panel will be asked to check it.",
                    "extend": "The new deadline is set. The panel can see it and your reason."}


def _engine(request: Request):
    return request.app.state.engine


def _panel_data(engine, slug: str):
    with Session(engine) as s:
        panel = s.execute(select(panels).where(panels.c.slug == slug)).first()
        if panel is None:
            return None
        rows = s.execute(select(commitments).where(commitments.c.panel == slug).order_by(commitments.c.due)).all()
        recs = {r.id: r for r in s.execute(select(recommendations).where(recommendations.c.panel == slug)).all()}
        entries: dict[str, list] = {}
        if rows:
            for e in s.execute(select(timeline).where(timeline.c.commitment_id.in_([r.id for r in rows]))
                               .order_by(timeline.c.commitment_id, timeline.c.seq)).all():
                entries.setdefault(e.commitment_id, []).append(e)
    return panel, rows, recs, entries


@router.get("/panels/{slug}", response_class=HTMLResponse)
def panel_page(slug: str, request: Request, done: Optional[str] = None, status_code: int = 200,
               error: str | None = None) -> Response:
    token, nonce = request.app.state.csrf.issue(request)
    cache = request.app.state.page_cache
    today = request.app.state.clock.today()
    message = VERDICT_MESSAGES.get(done or "")
    if message or error:  # a page for one visitor only
        html = _render_panel(_engine(request), slug, today, token, message, error)
    else:
        html = cache.get((slug, today), lambda marker: _render_panel(_engine(request), slug, today, marker))
        html = html and html.replace(cache.marker, token)
    if html is None:
        return _message(request, 404, "No such panel", "We cannot find this panel. Check the link you were given.")
    return request.app.state.csrf.remember(request, HTMLResponse(html, status_code=status_code), nonce)


def _render_panel(engine, slug: str, today: dt.date, csrf: str, message: str | None = None,
                  error: str | None = None) -> str | None:
    data = _panel_data(engine, slug)
    if data is None:
        return None
    panel, rows, recs, entries = data
    items = [views.commitment_view(r, recs[r.recommendation_id], entries.get(r.id, []), today) for r in rows
             if r.recommendation_id in recs]
    pending = [{"title": r.title, "respond_by": views.when(r.respond_by),
                "late": views.days((today - r.respond_by).days) if r.respond_by < today else None}
               for r in recs.values() if r.decision == "pending"]
    declined = [{"title": r.title, "reason": r.decline_reason} for r in recs.values() if r.decision == "declined"]
    summary = views.summary(items, len(pending))
    return templates.get_template("panel.html").render({
        "panel": panel, "commitments": items, "s": summary, "bars": views.chart(summary),
        "pending": pending, "declined": declined, "message": message, "error": error, "csrf": csrf,
    })


@router.post("/panels/{slug}/commitments/{commitment_id}/verdict", response_class=HTMLResponse)
def panel_verdict(slug: str, commitment_id: str, request: Request, verdict: str = Form(...),
                  access_code: str = Form(...), comment: str = Form(""), csrf: str = Form("")) -> Response:
    engine = _engine(request)
    try:
        request.app.state.csrf.check(request, csrf)
        if verdict not in ("confirmed", "disputed"):
            raise Problem(422, "Choose an answer", "Choose yes or no, then send your answer.")
        commands.check_access_code(engine, request.app.state.clock, commitment_id, access_code)
        commands.run(engine, request.app.state.clock, commitment_id, commands.verdict, verdict=verdict, comment=comment[:1000])
    except CsrfError as exc:
        return panel_page(slug, request, status_code=403, error=str(exc))
    except Problem as exc:
        return panel_page(slug, request, status_code=exc.status, error=exc.detail)
    request.app.state.after_write()
    return RedirectResponse(f"/panels/{slug}?done={verdict}#c-{commitment_id}", status_code=303)


def _respond_context(engine, commitment_id: str, token: str):
    """The commitment behind a respond link, or a LinkError saying why not."""
    with Session(engine) as s:
        row = s.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
        if row is None:
            raise LinkError("This link is for a commitment we cannot find.")
        rec = s.execute(select(recommendations).where(recommendations.c.id == row.recommendation_id)).one()
    return row, rec


@router.get("/commitments/{commitment_id}/respond", response_class=HTMLResponse)
def respond_page(commitment_id: str, request: Request, token: str = "", ok: Optional[str] = None,
                 status_code: int = 200, error: str | None = None) -> Response:
    state = request.app.state
    try:
        row, rec = _respond_context(state.engine, commitment_id, token)
        state.links.check(token, commitment_id, row.owner_email)
    except LinkError as exc:
        return _message(request, 403, "This link does not work", str(exc))
    c = views.commitment_view(row, rec, [], state.clock.today())
    csrf, nonce = state.csrf.issue(request)
    response = templates.TemplateResponse(request, "respond.html", {
        "c": c, "token": token, "panel_slug": row.panel, "csrf": csrf,
        "can_act": row.status in ("open", "in_progress", "disputed", "lapsed"),
        "message": RESPOND_MESSAGES.get(ok or ""), "error": error,
    }, status_code=status_code)
    return state.csrf.remember(request, response, nonce)


@router.post("/commitments/{commitment_id}/respond", response_class=HTMLResponse)
def respond_post(commitment_id: str, request: Request, token: str = Form(""), csrf: str = Form(""),
                 action: str = Form(...), note: str = Form(""), percent: Optional[str] = Form(None),
                 summary: str = Form(""), evidence_url: str = Form(""), evidence_note: str = Form(""),
                 new_due: str = Form(""), reason: str = Form("")) -> Response:
    state = request.app.state
    try:
        row, _ = _respond_context(state.engine, commitment_id, token)
        state.links.check(token, commitment_id, row.owner_email)
    except LinkError as exc:
        return _message(request, 403, "This link does not work", str(exc))
    try:
        state.csrf.check(request, csrf)
        command, kwargs = _respond_command(action, note, percent, summary, evidence_url, evidence_note, new_due, reason)
        commands.run(state.engine, state.clock, commitment_id, command, **kwargs)
    except CsrfError as exc:
        return respond_page(commitment_id, request, token, status_code=403, error=str(exc))
    except Problem as exc:
        return respond_page(commitment_id, request, token, status_code=exc.status, error=exc.detail)
    state.after_write()
    return RedirectResponse(f"/commitments/{commitment_id}/respond?token={token}&ok={action}", status_code=303)


def _respond_command(action, note, percent, summary, evidence_url, evidence_note, new_due, reason):
    def text(value: str, field: str, limit: int) -> str:
        value = value.strip()
        if not value:
            raise Problem(422, "Missing", f"Please fill in {field}.")
        return value[:limit]

    if action == "update":
        pct = int(percent) if percent and percent.strip().isdigit() else None
        return commands.post_update, dict(note=text(note, "what has happened", 2000), percent=pct, evidence_url=None,
                                          evidence_note=None, done=False, summary=None)
    if action == "done":
        url = evidence_url.strip() or None
        if url and not url.startswith(("http://", "https://")):
            raise Problem(422, "Link", "The evidence link must start with http:// or https://.")
        return commands.post_update, dict(note=text(summary, "what was done", 500), percent=100, evidence_url=url,
                                          evidence_note=evidence_note.strip()[:2000] or None, done=True,
                                          summary=text(summary, "what was done", 500))
    if action == "extend":
        try:
            due = dt.date.fromisoformat(new_due)
        except ValueError:
            raise Problem(422, "Date", "Give the new deadline as a date.") from None
        return commands.extend, dict(new_due=due, reason=text(reason, "why the deadline moves", 1000))
    raise Problem(422, "Unknown action", "Use one of the three forms on this page.")


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> Response:
    with Session(_engine(request)) as s:
        rows = s.execute(select(commitments)).all()
        areas = {p.slug: p.area for p in s.execute(select(panels.c.slug, panels.c.area)).all()}
    return templates.TemplateResponse(request, "register.html", {"r": views.register(rows, areas, request.app.state.clock.today())})


@router.get("/panels/{slug}/feed.xml")
def panel_feed(slug: str, request: Request) -> Response:
    data = _panel_data(_engine(request), slug)
    if data is None:
        raise Problem(404, "No such panel", f"There is no panel {slug}.")
    panel, rows, recs, entries = data
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
        changed = max((_aware(e.at) for e in entries.get(r.id, [])), default=_aware(r.created_at))
        latest = max(latest, changed)
        fe = fg.add_entry(order="append")
        fe.id(f"urn:followthrough:commitment:{r.id}")
        fe.title(f"{view.status_words}: {view.action}")
        fe.link(href=f"{base}/panels/{slug}#c-{r.id}")
        fe.updated(changed)
        fe.content(f"You said: {view.said}. Due {view.due}. {view.status_words}.", type="text")
    fg.updated(latest)
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")


@router.get("/panels/{slug}/deadlines.ics")
def panel_calendar(slug: str, request: Request) -> Response:
    data = _panel_data(_engine(request), slug)
    if data is None:
        raise Problem(404, "No such panel", f"There is no panel {slug}.")
    panel, rows, recs, _ = data
    cal = Calendar()
    cal.add("prodid", "-//followthrough//panel deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{panel.name}: police deadlines")
    for r in rows:
        event = Event()
        event.add("uid", f"{r.id}@followthrough.invalid")
        event.add("dtstamp", _aware(r.created_at))
        event.add("dtstart", r.due)
        event.add("dtend", r.due + dt.timedelta(days=1))
        event.add("summary", f"Due: {r.action}"[:200])
        event.add("description", f"You said: {recs[r.recommendation_id].title}. Status: {views.STATUS_WORDS[r.status][0]}.")
        cal.add_component(event)
    return Response(cal.to_ical(), media_type="text/calendar")


def _message(request: Request, status: int, heading: str, text: str) -> Response:
    return templates.TemplateResponse(request, "message.html", {"heading": heading, "text": text}, status_code=status)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
