"""`GET /me` (contract §8.1): the signed-in police lead's whole part, what needs them first; each
commitment's page with the forms their role allows (the respond page's and the approval page's, run
by the same commands); and `/me.csv`, every row the filters select. Sign-in puts the person on the
request; without one these pages send them to `/signin`."""

from __future__ import annotations

import csv
import io
from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.common.csrf import CsrfError
from services.common.i18n import N_, gettext, ngettext, short_date
from services.common.identity import signed_in
from services.tracker.adapters.links import LinkError
from services.tracker.domain.portfolio import NEED_WORDS, ROLE_WORDS, ROLES, allowed, roles_of
from services.tracker.usecases import portfolio
from services.tracker.web import views
from services.tracker.web.errors import Refusal, as_problem
from services.tracker.web.look import message_page, templates
from services.tracker.web.meforms import TRACKS, command_fields, done_message
from services.tracker.web.respond import respond_context

router = APIRouter(include_in_schema=False)
Role = Optional[Literal["owner", "supervisor", "senior_lead", "board"]]
CSV_COLUMNS = ["commitment_id", "panel", "recommendation", "your_part", "needs_you", "status", "due", "original_due",
               "days_overdue", "owner_role", "requested_due", "next_update_by", "owner_unreachable_since"]


def _signin() -> Response:
    return RedirectResponse("/signin", status_code=303)


@router.get("/me", response_class=HTMLResponse)
def me_page(request: Request, panel: Optional[str] = None, status: Optional[str] = None, role: Role = None,
            page: int = Query(default=1, ge=1, le=100_000), ok: Optional[str] = None) -> Response:
    person = signed_in(request)
    if person is None:
        return _signin()
    state, today = request.app.state, request.app.state.clock.today()
    filters = portfolio.Filters(panel or None, status if status in views.STATUS_WORDS else None, role)
    found = portfolio.page(portfolio.on_database(state.engine), person.email, today, filters, page)
    return templates.TemplateResponse(request, "me.html", {
        "p": found, "cards": [_card(e, today) for e in found.entries], "f": filters, "person": person,
        "need_words": NEED_WORDS, "roles": [(r, ROLE_WORDS[r]) for r in ROLES], "statuses": views.STATUS_WORDS,
        "query": _query(filters), "message": done_message(ok)})


@router.get("/me.csv")
def me_csv(request: Request, panel: Optional[str] = None, status: Optional[str] = None,
           role: Role = None) -> Response:
    person = signed_in(request)
    if person is None:
        return _signin()
    today = request.app.state.clock.today()
    filters = portfolio.Filters(panel or None, status if status in views.STATUS_WORDS else None, role)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in portfolio.everything(portfolio.on_database(request.app.state.engine), person.email, today, filters):
        r = e.row
        writer.writerow([r.id, r.panel, e.said, e.item.role, e.need or "", r.status, r.due, r.original_due,
                         views.days_overdue(r, today), r.owner_role, r.requested_due or "",
                         e.item.next_update_by or "", r.owner_unreachable_since or ""])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="my-commitments-{today}.csv"'})


@router.get("/me/commitments/{commitment_id}", response_class=HTMLResponse)
def me_commitment(commitment_id: str, request: Request) -> Response:
    person = signed_in(request)
    if person is None:
        return _signin()
    return _item_response(request, person.email, commitment_id)


@router.post("/me/commitments/{commitment_id}", response_class=HTMLResponse)
def me_act(commitment_id: str, request: Request, csrf: str = Form(""), action: str = Form(""),
           note: str = Form(""), percent: str = Form(""), summary: str = Form(""), evidence_url: str = Form(""),
           evidence_note: str = Form(""), new_due: str = Form(""), reason: str = Form(""), track: str = Form(""),
           delay_reason: str = Form(""), role: str = Form(""), email: str = Form(""),
           name: str = Form("")) -> Response:
    person = signed_in(request)
    if person is None:
        return _signin()
    state = request.app.state
    form = dict(note=note, percent=percent, summary=summary, evidence_url=evidence_url, evidence_note=evidence_note,
                new_due=new_due, reason=reason, track=track, delay_reason=delay_reason, role=role, email=email,
                name=name)
    try:
        state.csrf.check(request, csrf)
        fields = command_fields(action, form)
        result = portfolio.act(state.storage, state.clock, state.recorder, person.email, commitment_id, action,
                               **fields)
    except CsrfError as exc:
        return _item_response(request, person.email, commitment_id, 403, error=gettext(str(exc)))
    except Refusal as exc:
        problem = as_problem(exc)
        if problem.status == 403:
            return message_page(request, 403, N_("This is not yours to change"), problem.detail)
        return _item_response(request, person.email, commitment_id, problem.status, error=gettext(problem.detail))
    state.after_write()
    ok = "requested" if action == "extend" and result.requested_due else action
    return RedirectResponse(f"/me?ok={ok}#c-{commitment_id}", status_code=303)


def _item_response(request: Request, email: str, commitment_id: str, status_code: int = 200,
                   error: str | None = None) -> Response:
    state = request.app.state
    try:
        row, rec = respond_context(state.engine, commitment_id)
    except LinkError:
        return message_page(request, 404, N_("We cannot find that commitment"),
                            N_("Go back to your commitments at /me."))
    esc = row.escalation or {}
    roles = roles_of(email, row.owner_email, esc.get("supervisor"), esc.get("senior_lead"), esc.get("board"))
    if not roles:
        return message_page(request, 403, N_("This is not part of yours"),
                            N_("This commitment is not one you own or answer for, so it is not shown here."))
    csrf, nonce = state.csrf.issue(request)
    response = templates.TemplateResponse(request, "me_item.html", {
        "c": views.commitment_view(row, rec, [], state.clock.today()), "csrf": csrf, "tracks": TRACKS,
        "may": allowed(roles, row.status, row.requested_due), "part": gettext(ROLE_WORDS[_closest(roles)]),
        "requested": short_date(row.requested_due) if row.requested_due else None,
        "requested_reason": row.requested_reason, "panel_slug": row.panel, "error": error,
    }, status_code=status_code)
    return state.csrf.remember(request, response, nonce)


def _closest(roles: frozenset[str]) -> str:
    return next(r for r in ROLES if r in roles)


def _card(e: portfolio.Entry, today) -> dict:
    r = e.row
    words, css = views.STATUS_WORDS[r.status]
    words = gettext(words)
    late = views.days_overdue(r, today)
    if late and r.status != "lapsed":
        words, css = ngettext("Late by %(num)d day", "Late by %(num)d days", late) % {"num": late}, "late"
    need = NEED_WORDS.get(e.need or "")
    return {"id": r.id, "said": e.said, "panel": r.panel, "part": gettext(ROLE_WORDS[e.item.role]),
            "owner_role": r.owner_role, "status_words": words, "status_class": css, "due": short_date(r.due),
            "need": gettext(need) if need else None, "acts": bool(e.may),
            "requested": short_date(r.requested_due) if r.requested_due else None,
            "unreachable": short_date(r.owner_unreachable_since) if r.owner_unreachable_since else None}


def _query(f: portfolio.Filters) -> str:
    """The filters as a query string, for the pager's and the CSV's links."""
    return urlencode([(k, v) for k, v in (("panel", f.panel), ("status", f.status), ("role", f.role)) if v])
