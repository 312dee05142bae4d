"""Facilitators sign in by email (contract §5 "intake also serves the facilitator's pages").

The sign-in page asks for an address. A facilitator or admin (someone with a live API token of
that role, the address compared case-insensitively) is emailed a one-time link that works for
15 minutes; any other address gets the same page and no email. The email is written in the
link's own transaction and sent by intake's sender (`signinmail.py`), tried again until the
link expires, so a mail server that is away loses nothing and the page says the same. The link
opens a page with one button: following a link never signs anyone in by itself, because mail
scanners open links before people do and would use up a one-time link. Pressing the button uses
the link (once, by a unique constraint) and starts a session on the server; the cookie holds
only its random id. Signing out deletes the session.

Only the SHA-256 of a link's secret is kept to check it; the email waiting to be sent holds the
link itself until it is sent or given up (at most the link's 15 minutes). Every request with a
session checks that the token behind it is still live, so revoking the token ends the session."""

from __future__ import annotations

import datetime as dt
import secrets

from services.common.tokens import Principal
from services.intake.domain.signin import ACCESS_ENDED, ALREADY_USED, LINK_MINUTES, SESSION_HOURS, digest, link_refusal
from services.intake.domain.signinmail import message_id
from services.intake.usecases.errors import LinkRefused
from services.intake.usecases.ports import Storage, Store

__all__ = ["LINK_MINUTES", "SESSION_HOURS", "LinkRefused", "new_link", "email_link", "check_link", "person_of_token",
           "start_session", "session_token", "session_person", "end_session"]


def person_of_token(storage: Storage, token_id: str, now: dt.datetime) -> Principal | None:
    """The person a live admin or facilitator token belongs to."""
    with storage.transaction() as store:
        people = store.people(now, token_id=token_id)
    return people[0] if people else None


def new_link(storage: Storage, email: str, now: dt.datetime) -> tuple[str, Principal] | None:
    """A new link's secret for the person with this address, or None when nobody has it. An admin
    token is preferred, then the newest facilitator token."""
    with storage.transaction() as store:
        return _make_link(store, email, now)


def email_link(storage: Storage, email: str, now: dt.datetime, intake_url: str) -> Principal | None:
    """A new link for the person with this address, its email queued in the same transaction (the
    sender sends it); the person, or None when nobody has the address."""
    with storage.transaction() as store:
        made = _make_link(store, email, now)
        if made is None:
            return None
        secret, person = made
        key = digest(secret)
        store.add_signin_email(key, person.email, f"{intake_url}/signin/link?key={secret}", message_id(key), now,
                               now + dt.timedelta(minutes=LINK_MINUTES))
    return person


def _make_link(store: Store, email: str, now: dt.datetime) -> tuple[str, Principal] | None:
    people = store.people(now, email=email.strip().lower())
    if not people:
        return None
    person = next((p for p in people if p.role == "admin"), people[0])
    store.forget_links(now - dt.timedelta(days=1))  # a day past expiry, a link says nothing anyone needs
    secret = secrets.token_urlsafe(32)
    store.add_link(digest(secret), person.token_id, now, now + dt.timedelta(minutes=LINK_MINUTES))
    return secret, person


def check_link(storage: Storage, secret: str, now: dt.datetime, *, use: bool) -> Principal:
    """The person a link signs in; with `use`, the link is used up in the same transaction.
    LinkRefused says why not."""
    key = digest(secret or "")
    with storage.transaction() as store:
        link = store.link(key)
        why = link_refusal(link.expires_at if link else None, link is not None and store.link_used(key), now)
        if why:
            raise LinkRefused(why)
        if use and not store.use_link(key, now):
            raise LinkRefused(ALREADY_USED)
    person = person_of_token(storage, link.token_id, now)
    if person is None:
        raise LinkRefused(ACCESS_ENDED)
    return person


def start_session(storage: Storage, token_id: str, now: dt.datetime) -> str:
    """A new session acting as `token_id`, for at most SESSION_HOURS; its id (the cookie's value)."""
    session_id = secrets.token_urlsafe(32)
    with storage.transaction() as store:
        store.add_session(digest(session_id), token_id, now, now + dt.timedelta(hours=SESSION_HOURS))
    return session_id


def session_token(storage: Storage, session_id: str | None, now: dt.datetime) -> str | None:
    """The token a live session acts as."""
    if not session_id:
        return None
    with storage.transaction() as store:
        return store.session_token(digest(session_id), now)


def session_person(storage: Storage, session_id: str | None, now: dt.datetime) -> Principal | None:
    """The person behind a session, if the session and their token are both live."""
    token_id = session_token(storage, session_id, now)
    return person_of_token(storage, token_id, now) if token_id else None


def end_session(storage: Storage, session_id: str | None) -> None:
    """Forget the session on the server: every copy of its cookie stops working."""
    if session_id:
        with storage.transaction() as store:
            store.end_session(digest(session_id))
