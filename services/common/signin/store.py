"""Reads and writes of the staff sign-in tables. A sign-in under way is taken once (a DELETE that
finds it), a session ends for good when its row is deleted, and a binding is one row."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.identity import Person
from services.common.signin.claims import Who
from services.common.signin.tables import staff_logins, staff_panels, staff_sessions

SESSION_HOURS = 8
LOGIN_MINUTES = 10  # time to sign in at the provider
UTC = dt.timezone.utc


@dataclass(frozen=True)
class Login:
    nonce: str
    verifier: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def add_login(engine: Engine, state: str, nonce: str, verifier: str, now: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(delete(staff_logins).where(staff_logins.c.expires_at < now))  # those never finished
        conn.execute(insert(staff_logins).values(state_sha256=digest(state), nonce=nonce, code_verifier=verifier,
                                                 expires_at=now + dt.timedelta(minutes=LOGIN_MINUTES)))


def take_login(engine: Engine, state: str, now: dt.datetime) -> Login | None:
    """The sign-in this state began, used up now; None when it is unknown, taken or too old."""
    with engine.begin() as conn:
        row = conn.execute(delete(staff_logins).where(staff_logins.c.state_sha256 == digest(state))
                           .returning(staff_logins.c.nonce, staff_logins.c.code_verifier,
                                      staff_logins.c.expires_at)).first()
    if row is None or _utc(row.expires_at) < now:
        return None
    return Login(row.nonce, row.code_verifier)


def start_session(engine: Engine, person: Who, now: dt.datetime) -> str:
    """A new session for at most SESSION_HOURS; its id (the cookie's only content)."""
    session_id = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(staff_sessions).values(
            id_sha256=digest(session_id), email=person.email, roles=" ".join(sorted(person.roles)),
            name=person.name, created_at=now, expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
    return session_id


def session_person(engine: Engine, session_id: str, now: dt.datetime) -> Person | None:
    """The person of a live session, with the panels they are bound to now."""
    s, p = staff_sessions.c, staff_panels.c
    with engine.connect() as conn:
        row = conn.execute(select(s.email, s.roles, s.name, s.expires_at)
                           .where(s.id_sha256 == digest(session_id))).first()
        if row is None or _utc(row.expires_at) <= now:
            return None
        panels = conn.execute(select(p.panel).where(p.email == row.email)).scalars().all()
    return Person(row.email, session_id, frozenset(row.roles.split()), frozenset(panels), row.name)


def end_session(engine: Engine, session_id: str, now: dt.datetime) -> bool:
    """Delete the session (and any that have run out): every copy of its cookie stops working."""
    with engine.begin() as conn:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < now))
        return conn.execute(delete(staff_sessions).where(staff_sessions.c.id_sha256 == digest(session_id))).rowcount > 0


def bind(engine: Engine, email: str, panel: str) -> bool:
    """True: bound now; False: it already was."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(staff_panels).values(email=email.strip().lower(), panel=panel))
    except IntegrityError:
        return False
    return True


def unbind(engine: Engine, email: str, panel: str) -> bool:
    """True: unbound now; False: there was no such binding."""
    with engine.begin() as conn:
        return conn.execute(delete(staff_panels).where(staff_panels.c.email == email.strip().lower(),
                                                       staff_panels.c.panel == panel)).rowcount > 0


def bindings(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(staff_panels.c.email, staff_panels.c.panel)
                                               .order_by(staff_panels.c.email, staff_panels.c.panel))]
