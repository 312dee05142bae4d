"""The supervisor's page for an extension the owner may not set alone (contract §4: an extension
is the only sanctioned snooze, and past the policy's limit it is the supervisor's call).

The link in the supervisor's email is signed for the commitment, the supervisor's address
and the date asked for; approving moves the deadline, tells everyone already told, and shows
the panel. Until then the first deadline stands and the ladder keeps running."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from services.common.csrf import CsrfError
from services.common.i18n import N_, gettext, short_date
from services.tracker.adapters.links import LinkError
from services.tracker.usecases import actions
from services.tracker.web import views
from services.tracker.web.errors import Refusal, as_problem
from services.tracker.web.look import message_page, templates
from services.tracker.web.respond import respond_context

router = APIRouter(include_in_schema=False)


def _checked(request: Request, commitment_id: str, token: str):
    state = request.app.state
    row, rec = respond_context(state.engine, commitment_id)
    requested = row.requested_due.isoformat() if row.requested_due else None
    state.approvals.check(token, commitment_id, row.escalation["supervisor"], requested)
    return row, rec


@router.get("/commitments/{commitment_id}/approve", response_class=HTMLResponse)
def approve_page(commitment_id: str, request: Request, token: str = "") -> Response:
    return _approve_response(commitment_id, request, token)


def _approve_response(commitment_id: str, request: Request, token: str, status_code: int = 200,
                      error: str | None = None) -> Response:
    state = request.app.state
    try:
        row, rec = _checked(request, commitment_id, token)
    except LinkError as exc:
        return message_page(request, 403, N_("This link does not work"), str(exc))
    csrf, nonce = state.csrf.issue(request)
    response = templates.TemplateResponse(request, "approve.html", {
        "c": views.commitment_view(row, rec, [], state.clock.today()), "token": token, "csrf": csrf,
        "requested": short_date(row.requested_due), "reason": row.requested_reason, "error": error,
    }, status_code=status_code)
    return state.csrf.remember(request, response, nonce)


@router.post("/commitments/{commitment_id}/approve", response_class=HTMLResponse)
def approve_post(commitment_id: str, request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        row, _ = _checked(request, commitment_id, token)
    except LinkError as exc:
        return message_page(request, 403, N_("This link does not work"), str(exc))
    try:
        state.csrf.check(request, csrf)
        actions.run(state.storage, state.clock, commitment_id, actions.approve_extension,
                    recorder=state.recorder)
    except CsrfError as exc:
        return _approve_response(commitment_id, request, token, status_code=403, error=gettext(str(exc)))
    except Refusal as exc:
        problem = as_problem(exc)
        return _approve_response(commitment_id, request, token, status_code=problem.status,
                                 error=gettext(problem.detail))
    state.after_write()
    return message_page(request, 200, N_("The new deadline is approved"),
                        gettext("The deadline is now %(day)s. The owner, the panel and everyone already told can "
                                "see it.") % {"day": short_date(row.requested_due)})
