"""The police lead's respond page (contract §5), reached from the signed link in their emails: post an
update, mark it done, move the deadline. It shows no email addresses. Forms are checked by the same
request models as the API, and every error is shown on the page beside what the visitor sent."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.common.csrf import CsrfError
from services.common.i18n import N_, gettext
from services.common.problems import INVALID_REQUEST
from services.tracker.adapters.links import LinkError
from services.tracker.domain.rules import ACTIVE
from services.tracker.usecases import actions, commitmentview
from services.tracker.web import views
from services.tracker.web.bodies import ExtensionIn, UpdateIn
from services.tracker.web.errors import Refusal, as_problem
from services.tracker.web.forms import form_model
from services.tracker.web.look import message_page, templates
from services.tracker.web.meforms import TRACKS

router = APIRouter(include_in_schema=False)
RESPOND_MESSAGES = {"update": N_("Your update is posted. The panel can see it now."),
                    "warned": N_("Your update is posted. Saying early that it will be late is the right thing to "
                                 "do: your supervisor has been told, and the panel can see your reason."),
                    "done": N_("Marked done. The panel will be asked to check it."),
                    "extend": N_("The new deadline is set. The panel can see it and your reason."),
                    "requested": N_("That is further than you may move it alone, so your supervisor is asked to "
                                    "approve it. Until then the first deadline stands.")}


def respond_context(engine, commitment_id: str):
    """The commitment behind a respond (or approve) link and its recommendation, or a LinkError saying why not."""
    found = commitmentview.with_recommendation(engine, commitment_id)
    if found is None:
        raise LinkError(N_("This link is for a commitment we cannot find."))
    return found


@router.get("/commitments/{commitment_id}/respond", response_class=HTMLResponse)
def respond_page(commitment_id: str, request: Request, token: str = "", ok: Optional[str] = None) -> Response:
    words = RESPOND_MESSAGES.get(ok or "")
    return _respond_response(commitment_id, request, token, message=gettext(words) if words else None)


def _respond_response(commitment_id: str, request: Request, token: str, status_code: int = 200,
                      message: str | None = None, error: str | None = None) -> Response:
    state = request.app.state
    try:
        row, rec = respond_context(state.engine, commitment_id)
        state.links.check(token, commitment_id, row.owner_email, row.handovers)
    except LinkError as exc:
        return message_page(request, 403, N_("This link does not work"), str(exc))
    c = views.commitment_view(row, rec, [], state.clock.today())
    csrf, nonce = state.csrf.issue(request)
    response = templates.TemplateResponse(request, "respond.html", {
        "c": c, "token": token, "panel_slug": row.panel, "csrf": csrf,
        "can_act": row.status in ACTIVE, "tracks": TRACKS,
        "message": message, "error": error,
    }, status_code=status_code)
    return state.csrf.remember(request, response, nonce)


@router.post("/commitments/{commitment_id}/respond", response_class=HTMLResponse)
def respond_post(commitment_id: str, request: Request, token: str = Form(""), csrf: str = Form(""),
                 action: str = Form(""), note: str = Form(""), percent: str = Form(""),
                 summary: str = Form(""), evidence_url: str = Form(""), evidence_note: str = Form(""),
                 new_due: str = Form(""), reason: str = Form(""), track: str = Form(""),
                 delay_reason: str = Form("")) -> Response:
    state = request.app.state
    try:
        row, _ = respond_context(state.engine, commitment_id)
        state.links.check(token, commitment_id, row.owner_email, row.handovers)
    except LinkError as exc:
        return message_page(request, 403, N_("This link does not work"), str(exc))
    try:
        state.csrf.check(request, csrf)
        command, kwargs = _respond_command(action, note, percent, summary, evidence_url, evidence_note, new_due, reason,
                                           track, delay_reason)
        if command in (actions.extend, actions.post_update):
            kwargs["recorder"] = state.recorder
        result = actions.run(state.storage, state.clock, commitment_id, command, **kwargs)
    except CsrfError as exc:
        return _respond_response(commitment_id, request, token, status_code=403, error=gettext(str(exc)))
    except Refusal as exc:
        problem = as_problem(exc)
        return _respond_response(commitment_id, request, token, status_code=problem.status,
                                 error=gettext(problem.detail))
    state.after_write()
    ok = "requested" if action == "extend" and result.requested_due else action
    if action == "update" and result.track == "significant_delay" and result.due > state.clock.today():
        ok = "warned"
    return RedirectResponse(f"/commitments/{commitment_id}/respond?token={token}&ok={ok}", status_code=303)


def _respond_command(action, note, percent, summary, evidence_url, evidence_note, new_due, reason, track="",
                     delay_reason=""):
    """The form's fields through the API's own request models: the same rules, the same limits."""
    if action == "update":
        body = form_model(UpdateIn, note=note, percent=percent or None, track=track or None,
                          delay_reason=delay_reason or None)
        return actions.post_update, body.model_dump()
    if action == "done":
        body = form_model(UpdateIn, note=summary, summary=summary, done=True, percent=100,
                          evidence_url=evidence_url or None, evidence_note=evidence_note or None)
        return actions.post_update, body.model_dump()
    if action == "extend":
        body = form_model(ExtensionIn, new_due=new_due, reason=reason)
        return actions.extend, body.model_dump()
    raise INVALID_REQUEST(gettext("Use one of the three forms on this page."))

