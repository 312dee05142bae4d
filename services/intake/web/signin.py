"""The sign-in pages (the rules are in `usecases/signin.py`): ask for a link by email, use it
with one button (mail scanners open links before people do), sign out. With
FOLLOWTHROUGH_OIDC_ISSUER set, the same page offers "Sign in with your force account" too
(`services/common/signin/`: `/signin?force=1` goes to the provider, which comes back to
`/signin/callback`); both ways can be on at once.

Asking for a link is limited per client, per address and client, and per address
(`signinlimit.py`): requests from elsewhere never use up a facilitator's own, and nobody can
fill an inbox. Over a limit the page says how long to wait, the same page whatever the address."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import structlog
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.common import identity
from services.common.csrf import CsrfError
from services.common.i18n import _, ngettext
from services.common.identity import ADMIN, FACILITATOR, Person
from services.common.signin.claims import Refused
from services.common.tokens import Principal
from services.intake.domain.signin import LINK_MINUTES, wait_minutes
from services.intake.usecases import signin
from services.intake.usecases.errors import LinkRefused
from services.intake.web.views import page, refusal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger()
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class StaffPrincipal:
    """A facilitator or admin signed in with their force account, as the record pages and use cases
    ask of a token's `Principal`: a facilitator writes to the panels they are bound to
    (`followthrough staff bind`), an admin to every panel."""

    person: Person

    @property
    def token_id(self) -> str:  # who keeps an Idempotency-Key, and what the logs say: never the address
        return "staff-" + hashlib.sha256(self.person.email.encode()).hexdigest()[:16]

    @property
    def role(self) -> str:
        return ADMIN if ADMIN in self.person.roles else FACILITATOR

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def panel(self) -> str | None:
        """The one panel a facilitator bound to exactly one records for; None: choose (an admin: any)."""
        panels = self.person.panels
        return next(iter(panels)) if self.role == FACILITATOR and len(panels) == 1 else None

    def may_write_panel(self, slug: str) -> bool:
        return self.person.may_write_panel(slug)


def signed_in(request: Request) -> Principal | StaffPrincipal | None:
    """The person behind the request's session: an email link's (if the session and their token are
    both live), else a force account's with an admin or facilitator role."""
    principal = request.app.state.sessions.person(request)
    if principal is not None:
        return principal
    person = identity.signed_in(request)
    return StaffPrincipal(person) if person is not None and person.roles & {ADMIN, FACILITATOR} else None


def _wait_words(seconds: int) -> str:
    minutes = wait_minutes(seconds)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}


def _refusal_words(exc: LinkRefused) -> str:
    """Why the link does not work, in the page's language (the use case says it in English)."""
    return _(str(exc)) % {"minutes": LINK_MINUTES}


def _signin_page(request: Request, status_code: int = 200, headers: dict | None = None, **context) -> Response:
    return page(request, "signin.html", status_code=status_code, headers=headers, minutes=LINK_MINUTES, **context)


def _landing(person: Person) -> str:
    """Where a member of staff signed in by their force account goes first."""
    return f"/panels/{next(iter(person.panels))}/record" if len(person.panels) == 1 else "/record"


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, out: str | None = None, force: str | None = None) -> Response:
    staff = request.app.state.staff
    if force and staff.enabled:
        try:
            return staff.begin()
        except Refused as exc:
            return refusal(request, exc.status, exc.heading, exc.text, headers=NO_STORE)
    message = _("You are signed out.") if out else None
    return _signin_page(request, message=message, email="", force=staff.enabled,
                        person=getattr(request.state, "person", None))


@router.get("/signin/callback", response_class=HTMLResponse)
def signin_callback(request: Request) -> Response:
    try:
        return request.app.state.staff.finish(request, _landing)
    except Refused as exc:
        return refusal(request, exc.status, exc.heading, exc.text, headers=NO_STORE, signin=True)


@router.post("/signin", response_class=HTMLResponse)
def signin_request(request: Request, email: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return _signin_page(request, 403, error=str(exc), email=email)
    wait = state.signin_limit.client_wait(request)
    if wait:
        return refusal(request, 429, _("Please wait"), _("You have asked for several links already. Wait %(wait)s, "
                       "then try again.") % {"wait": _wait_words(wait)}, headers={"Retry-After": str(wait)})
    email = email.strip()
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        return _signin_page(request, 422, email=email,
                            errors={"email": _("Write your work email address, like name@example.org.")})
    wait = state.signin_limit.address_wait(email, request)
    if wait:  # counted for every address typed, known or not: the page tells nobody who has access
        return _signin_page(request, 429, email=email, headers={"Retry-After": str(wait)},
                            error=_("Several links were asked for this address lately. Wait %(wait)s, then ask "
                                    "again. If a link has come, you can use it now.") % {"wait": _wait_words(wait)})
    # The email is queued with the link and sent (retried) by intake's sender: the page says the
    # same whether the address is known and whether the mail server takes it.
    person = signin.email_link(state.storage, email, state.clock.now(), state.settings.intake_url)
    if person is not None:
        state.wake_signin_mail()
        log.info("signin.link_made", token_id=person.token_id)
    return page(request, "signin_sent.html", email=email, minutes=signin.LINK_MINUTES)


@router.get("/signin/link", response_class=HTMLResponse)
def signin_link(request: Request, key: str = "") -> Response:
    state = request.app.state
    try:
        signin.check_link(state.storage, key, state.clock.now(), use=False)
    except LinkRefused as exc:
        return refusal(request, 403, _("This link does not work"), _refusal_words(exc), headers=NO_STORE, signin=True)
    return page(request, "signin_link.html", key=key, headers=NO_STORE)


@router.post("/signin/link", response_class=HTMLResponse)
def signin_use(request: Request, key: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return refusal(request, 403, _("Try the link again"), str(exc), headers=NO_STORE)
    try:
        person = signin.check_link(state.storage, key, state.clock.now(), use=True)
    except LinkRefused as exc:
        return refusal(request, 403, _("This link does not work"), _refusal_words(exc), headers=NO_STORE, signin=True)
    log.info("signin.signed_in", token_id=person.token_id, role=person.role, panel=person.panel)
    target = f"/panels/{person.panel}/record" if person.panel else "/record"
    return state.sessions.start(RedirectResponse(target, status_code=303, headers=NO_STORE), person.token_id)


@router.post("/signout")
def signout(request: Request, csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return refusal(request, 403, _("Try again"), str(exc))
    response = state.staff.end(request, RedirectResponse("/signin?out=1", status_code=303))
    return state.sessions.end(request, response)
