"""Facilitators sign in by email (contract §5 "intake also serves the facilitator's pages").

`GET /signin` asks for an address. A facilitator or admin (someone with a live API token of
that role, the address compared case-insensitively) is emailed a one-time link that works for
15 minutes; any other address gets the same page and no email. The link opens a page with one
button: following a link never signs anyone in by itself, because mail scanners open links
before people do and would use up a one-time link. Pressing the button uses the link (once, by
a unique constraint) and starts a session on the server (`sessions.py`); the cookie holds only
its random id. Signing out deletes the session.

Asking for a link is limited per client, per address and client, and per address (`SigninLimit`):
requests from elsewhere never use up a facilitator's own, and nobody can fill an inbox. Over a
limit the page says how long to wait, the same page whatever the address.

Only the SHA-256 of a link's secret is stored. Every request with a session checks that the
token behind it is still live, so revoking the token ends the session."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import structlog
from fastapi import APIRouter, BackgroundTasks, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.csrf import CsrfError
from services.common.settings import secret
from services.common.tokens import Principal, api_tokens
from services.intake.store import signin_links, signin_uses
from services.intake.views import page, refusal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger()
LINK_MINUTES = 15
ROLES = ("admin", "facilitator")
NO_STORE = {"Cache-Control": "no-store"}
UTC = dt.timezone.utc


class LinkRefused(Exception):
    """A sign-in link that does not work, and why, in words for the person holding it."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _live_tokens(now: dt.datetime):
    c = api_tokens.c
    return select(api_tokens).where(c.role.in_(ROLES), c.revoked_at.is_(None),
                                    or_(c.expires_at.is_(None), c.expires_at > now))


def _person(row) -> Principal:
    return Principal(row.id, row.role, row.email, row.panel)


def person_of_token(engine: Engine, token_id: str, now: dt.datetime) -> Principal | None:
    with engine.connect() as conn:
        row = conn.execute(_live_tokens(now).where(api_tokens.c.id == token_id)).first()
    return _person(row) if row is not None else None


def new_link(engine: Engine, email: str, now: dt.datetime) -> tuple[str, Principal] | None:
    """A new link's secret for the person with this address, or None when nobody has it. An admin
    token is preferred, then the newest facilitator token."""
    address = email.strip().lower()
    with Session(engine) as s, s.begin():
        rows = s.execute(_live_tokens(now).where(func.lower(api_tokens.c.email) == address)
                         .order_by(api_tokens.c.created_at.desc())).all()
        if not rows:
            return None
        row = next((r for r in rows if r.role == "admin"), rows[0])
        _prune(s, now)
        secret = secrets.token_urlsafe(32)
        s.execute(signin_links.insert().values(secret_sha256=_digest(secret), token_id=row.id, created_at=now,
                                               expires_at=now + dt.timedelta(minutes=LINK_MINUTES)))
    return secret, _person(row)


def _prune(s: Session, now: dt.datetime) -> None:
    """Links a day past their expiry say nothing anyone needs: forget them (uses first, so
    SQLite without foreign-key enforcement leaves nothing behind)."""
    old = now - dt.timedelta(days=1)
    stale = select(signin_links.c.secret_sha256).where(signin_links.c.expires_at < old)
    s.execute(delete(signin_uses).where(signin_uses.c.secret_sha256.in_(stale)))
    s.execute(delete(signin_links).where(signin_links.c.expires_at < old))


def check_link(engine: Engine, secret: str, now: dt.datetime, *, use: bool) -> Principal:
    """The person a link signs in; with `use`, the link is used up in the same transaction.
    LinkRefused says why not."""
    digest = _digest(secret or "")
    try:
        with Session(engine) as s, s.begin():
            link = s.execute(select(signin_links).where(signin_links.c.secret_sha256 == digest)).first()
            if link is None:
                raise LinkRefused("This sign-in link is not valid. Ask for a new one.")
            used = s.execute(select(signin_uses.c.used_at).where(signin_uses.c.secret_sha256 == digest)).first()
            if used is not None:
                raise LinkRefused("This sign-in link was already used. Each link works once: ask for a new one.")
            if _utc(link.expires_at) <= now:
                raise LinkRefused(f"This sign-in link has expired. Links work for {LINK_MINUTES} minutes: "
                                  "ask for a new one.")
            if use:  # a second use, even at the same moment, fails on the primary key
                s.execute(signin_uses.insert().values(secret_sha256=digest, used_at=now))
    except IntegrityError:
        raise LinkRefused("This sign-in link was already used. Each link works once: ask for a new one.") from None
    person = person_of_token(engine, link.token_id, now)
    if person is None:
        raise LinkRefused("The access behind this link has ended. Ask an admin for a new token.")
    return person


def signed_in(request: Request) -> Principal | None:
    """The person behind the request's session, if the session and their token are both live."""
    state = request.app.state
    token_id = state.sessions.token_id(request)
    return person_of_token(state.engine, token_id, state.clock.now()) if token_id else None


async def send_link(settings, to: str, url: str) -> None:
    """Email the link; a failure is logged, never shown (the page must not tell who is known)."""
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.smtp_from, to
    msg["Subject"] = "Your followthrough sign-in link"
    msg["Message-ID"] = make_msgid(domain="followthrough.intake")
    msg.set_content(
        f"To sign in and record your panel's session, open this link:\n\n{url}\n\n"
        f"It works once, for {LINK_MINUTES} minutes. If you did not ask for it, you can ignore this email: "
        "nobody can sign in without it.\n")
    try:
        await aiosmtplib.send(msg, hostname=settings.smtp_host, port=settings.smtp_port,
                              username=settings.smtp_username, password=secret(settings.smtp_password),
                              start_tls=settings.smtp_starttls, timeout=settings.smtp_timeout)
        log.info("signin.link_sent")
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("signin.email_failed", error=type(exc).__name__)


def _signin_page(request: Request, status_code: int = 200, headers: dict | None = None, **context) -> Response:
    return page(request, "signin.html", status_code=status_code, headers=headers, **context)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, out: str | None = None) -> Response:
    message = "You are signed out." if out else None
    return _signin_page(request, message=message, email="")


@router.post("/signin", response_class=HTMLResponse)
def signin_request(request: Request, background: BackgroundTasks, email: str = Form(""),
                   csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return _signin_page(request, 403, error=str(exc), email=email)
    wait = state.signin_limit.client_wait(request)
    if wait:
        return refusal(request, 429, "Please wait", "You have asked for several links already. "
                       f"Wait {_minutes(wait)}, then try again.", headers={"Retry-After": str(wait)})
    email = email.strip()
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        return _signin_page(request, 422, email=email,
                            errors={"email": "Write your work email address, like name@example.org."})
    wait = state.signin_limit.address_wait(email, request)
    if wait:  # counted for every address typed, known or not: the page tells nobody who has access
        return _signin_page(request, 429, email=email, headers={"Retry-After": str(wait)},
                            error=f"Several links were asked for this address lately. Wait {_minutes(wait)}, "
                                  "then ask again. If a link has come, you can use it now.")
    link = new_link(state.engine, email, state.clock.now())
    if link is not None:
        secret, person = link
        background.add_task(send_link, state.settings, person.email,
                            f"{state.settings.intake_url}/signin/link?key={secret}")
        log.info("signin.link_made", token_id=person.token_id)
    return page(request, "signin_sent.html", email=email, minutes=LINK_MINUTES)


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@router.get("/signin/link", response_class=HTMLResponse)
def signin_link(request: Request, key: str = "") -> Response:
    state = request.app.state
    try:
        check_link(state.engine, key, state.clock.now(), use=False)
    except LinkRefused as exc:
        return refusal(request, 403, "This link does not work", str(exc), headers=NO_STORE, signin=True)
    return page(request, "signin_link.html", key=key, headers=NO_STORE)


@router.post("/signin/link", response_class=HTMLResponse)
def signin_use(request: Request, key: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return refusal(request, 403, "Try the link again", str(exc), headers=NO_STORE)
    try:
        person = check_link(state.engine, key, state.clock.now(), use=True)
    except LinkRefused as exc:
        return refusal(request, 403, "This link does not work", str(exc), headers=NO_STORE, signin=True)
    log.info("signin.signed_in", token_id=person.token_id, role=person.role, panel=person.panel)
    target = f"/panels/{person.panel}/record" if person.panel else "/record"
    return state.sessions.start(RedirectResponse(target, status_code=303, headers=NO_STORE), person.token_id)


@router.post("/signout")
def signout(request: Request, csrf: str = Form("")) -> Response:
    state = request.app.state
    try:
        state.csrf.check(request, csrf)
    except CsrfError as exc:
        return refusal(request, 403, "Try again", str(exc))
    return state.sessions.end(request, RedirectResponse("/signin?out=1", status_code=303))
