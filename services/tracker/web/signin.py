"""Staff sign-in on the tracker (contract §8.1): `GET /signin` offers "Sign in with your force
account" when FOLLOWTHROUGH_OIDC_ISSUER is set (`/signin?force=1` goes to the provider), the
provider comes back to `GET /signin/callback`, and `POST /signout` ends the session for good.
The flow and its checks are `services/common/signin/`; here are only the pages."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.common.csrf import CsrfError
from services.common.i18n import N_, gettext
from services.common.identity import Person, signed_in
from services.common.signin.claims import Refused
from services.tracker.web.look import message_page, templates

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
LANDING = "/me"  # a member of staff's portfolio


def _landing(person: Person) -> str:
    return LANDING


def _refused(request: Request, exc: Refused) -> Response:
    response = message_page(request, exc.status, exc.heading, exc.text)
    response.headers.update(NO_STORE)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, out: str | None = None, force: str | None = None) -> Response:
    state = request.app.state
    if force and state.staff.enabled:
        try:
            return state.staff.begin()
        except Refused as exc:
            return _refused(request, exc)
    csrf, nonce = state.csrf.issue(request)
    response = templates.TemplateResponse(request, "signin.html", {
        "csrf": csrf, "force": state.staff.enabled, "person": signed_in(request),
        "message": gettext("You are signed out.") if out else None}, headers=NO_STORE)
    return state.csrf.remember(request, response, nonce)


@router.get("/signin/callback", response_class=HTMLResponse)
def signin_callback(request: Request) -> Response:
    try:
        return request.app.state.staff.finish(request, _landing)
    except Refused as exc:
        return _refused(request, exc)


@router.post("/signout")
def signout(request: Request, csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return message_page(request, 403, N_("Try again"), str(exc))
    return state.staff.end(request, RedirectResponse("/signin?out=1", status_code=303, headers=NO_STORE))
