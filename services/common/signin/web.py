"""Staff sign-in as each service's routes use it (contract §8.1): start at the provider, come back
to `/signin/callback`, a server-side session whose cookie holds only a random id, `POST /signout`,
and a middleware that puts the session's `Person` on `request.state.person`.

The state travels twice: in the provider's round trip and in a short-lived cookie of this browser,
so a callback opened in another browser (login CSRF) is refused; on the server it is used once (the
row is deleted when it comes back), so a replayed callback is refused too."""

from __future__ import annotations

import hmac
import re

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from services.common.clienthash import keyed_hash
from services.common.clock import Clock
from services.common.i18n import N_, _
from services.common.identity import Person
from services.common.settings import CommonSettings, RefusedToStart, is_loopback_url, secret
from services.common.signin import store
from services.common.signin.claims import START_AGAIN, Refused
from services.common.signin.oidc import OidcClient

log = structlog.get_logger()
NO_STORE = {"Cache-Control": "no-store"}


def _again(text: str) -> str:
    """What went wrong, then how to start again, in the visitor's language (the heading stays a catalogue
    message in English, so the log names it the same whoever was refused)."""
    return f"{text} {_(START_AGAIN)}"


def oidc_client(settings: CommonSettings, clock: Clock) -> OidcClient | None:
    """The provider's client when an issuer is set; a half-set configuration stops start-up."""
    if not settings.followthrough_oidc_issuer:
        return None
    if not settings.followthrough_oidc_client_id or not secret(settings.followthrough_oidc_client_secret):
        raise RefusedToStart("FOLLOWTHROUGH_OIDC_ISSUER is set but FOLLOWTHROUGH_OIDC_CLIENT_ID or "
                             "FOLLOWTHROUGH_OIDC_CLIENT_SECRET is not: set both from the app's registration "
                             "(docs/signin.md), or unset the issuer.")
    return OidcClient(settings.followthrough_oidc_issuer, settings.followthrough_oidc_client_id,
                      secret(settings.followthrough_oidc_client_secret),
                      roles_claim=settings.followthrough_oidc_roles_claim,
                      tenants=settings.followthrough_oidc_allowed_tenants, clock=clock)


class StaffSignin:
    def __init__(self, settings: CommonSettings, engine: Engine, clock: Clock, public_url: str, service: str) -> None:
        """`public_url`: where staff reach this service (its callback is there); `service` keeps
        each service's cookies apart (browsers do not keep cookies apart by port)."""
        self.client = oidc_client(settings, clock)
        self.engine, self.clock, self.service = engine, clock, service
        self.redirect_uri = f"{public_url.rstrip('/')}/signin/callback"
        # Secure everywhere but a developer's own http://localhost, where browsers would drop it.
        self.secure = not (public_url.lower().startswith("http://") and is_loopback_url(public_url))
        prefix = "__Host-" if self.secure else ""
        self.cookie, self.state_cookie = f"{prefix}ft_staff_{service}", f"{prefix}ft_signin_{service}"
        self._hash_key = secret(settings.followthrough_secret_key)

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=self.secure)

    def begin(self) -> Response:
        """Off to the provider, the state, nonce and PKCE verifier kept for the way back."""
        auth = self.client.authorization(self.redirect_uri)
        store.add_login(self.engine, auth.state, auth.nonce, auth.verifier, self.clock.now())
        response = RedirectResponse(auth.url, status_code=303, headers=NO_STORE)
        self._set(response, self.state_cookie, auth.state, store.LOGIN_MINUTES * 60)
        return response

    def finish(self, request: Request, landing) -> Response:
        """Back from the provider: every check, then a session; `landing(person)` is where to go.
        A refusal is logged by its heading (never who it was)."""
        try:
            return self._finish(request, landing)
        except Refused as exc:
            log.warning("signin.staff_refused", service=self.service, status=exc.status, why=exc.heading)
            raise

    def _finish(self, request: Request, landing) -> Response:
        q = request.query_params
        if not self.enabled:
            raise Refused(404, N_("Force sign-in is not set up here"), _("Use the sign-in link your admin gave you."))
        if q.get("error"):  # only the error's code: its description is anyone's text in a link
            code = q["error"] if re.fullmatch(r"[a-z_]{1,40}", q["error"]) else "an error"
            raise Refused(403, N_("You were not signed in"),
                          _again(_("Your force's sign-in service said %(code)s.") % {"code": code}))
        state, mine = q.get("state") or "", request.cookies.get(self.state_cookie) or ""
        if not state or not mine or not hmac.compare_digest(state, mine):
            raise Refused(400, N_("This sign-in was started elsewhere"),
                          _again(_("It did not start in this browser, or it took too long.")))
        if q.get("iss") and q["iss"] != self.client.metadata()["issuer"]:  # RFC 9207: mix-up defence
            raise Refused(400, N_("This sign-in came from the wrong place"), _(START_AGAIN))
        login = store.take_login(self.engine, state, self.clock.now())
        if login is None:
            raise Refused(400, N_("This sign-in was already used"),
                          _again(_("Each sign-in works once and for a few minutes only.")))
        who = self.client.person(q.get("code") or "", self.redirect_uri, login.verifier, login.nonce)
        if request.cookies.get(self.cookie):  # a new sign-in never keeps an old session alive beside it
            store.end_session(self.engine, request.cookies[self.cookie], self.clock.now())
        session_id = store.start_session(self.engine, who, self.clock.now())
        log.info("signin.staff_signed_in", service=self.service, person=keyed_hash(self._hash_key, who.email),
                 roles=sorted(who.roles))
        person = store.session_person(self.engine, session_id, self.clock.now())
        response = RedirectResponse(landing(person), status_code=303, headers=NO_STORE)
        response.delete_cookie(self.state_cookie, path="/", httponly=True, samesite="lax", secure=self.secure)
        self._set(response, self.cookie, session_id, store.SESSION_HOURS * 3600)
        return response

    def person(self, request: Request) -> Person | None:
        session_id = request.cookies.get(self.cookie)
        return store.session_person(self.engine, session_id, self.clock.now()) if session_id else None

    def end(self, request: Request, response: Response) -> Response:
        """End the request's session on the server (for good) and in this browser."""
        session_id = request.cookies.get(self.cookie)
        if session_id:
            person = store.session_person(self.engine, session_id, self.clock.now())
            if store.end_session(self.engine, session_id, self.clock.now()) and person:
                log.info("signin.staff_signed_out", service=self.service,
                         person=keyed_hash(self._hash_key, person.email))
        response.delete_cookie(self.cookie, path="/", httponly=True, samesite="lax", secure=self.secure)
        return response


class _PersonMiddleware:
    """Plain ASGI (no BaseHTTPMiddleware: nothing wraps the response): a request without the staff
    cookie costs one dictionary look-up."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        staff: StaffSignin | None = getattr(scope["app"].state, "staff", None) if scope["type"] == "http" else None
        if staff is not None:
            request = Request(scope)
            if staff.cookie in request.cookies:
                request.state.person = await run_in_threadpool(staff.person, request)
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Every request with a live staff session carries its `Person` (`request.state.person`);
    `app.state.staff` is set once the service has started."""
    app.add_middleware(_PersonMiddleware)
