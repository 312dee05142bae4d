"""Facilitators' sessions, kept on the server (the `intake_sessions` table).

The cookie holds only a random id, never who the person is or their panel: anyone who copies
it learns nothing. The row holds only that id's SHA-256 (a stolen database holds no working
cookie), the API token the session acts as, and when it ends, at most SESSION_HOURS after
sign-in. Signing out deletes the row, so a copied cookie stops working at once; revoking the
token ends the session too, because each request reads the person from the live token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from fastapi import Request, Response
from sqlalchemy import Engine, delete, select

from services.common.clock import Clock
from services.common.settings import is_https
from services.intake.store import sessions

SESSION_HOURS = 8


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, engine: Engine, clock: Clock, public_url: str) -> None:
        """`public_url`: where facilitators reach intake; https makes the cookie Secure and
        `__Host-` (only this host may set it), whatever scheme reaches us behind a TLS proxy."""
        self.engine, self.clock = engine, clock
        self.secure = is_https(public_url)
        self.cookie = "__Host-ft_session" if self.secure else "ft_session"

    def start(self, response: Response, token_id: str) -> Response:
        """A new session acting as `token_id`, its id set in the response's cookie."""
        session_id, now = secrets.token_urlsafe(32), self.clock.now()
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))  # ended ones say nothing
            conn.execute(sessions.insert().values(id_sha256=_digest(session_id), token_id=token_id,
                                                  expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
        response.set_cookie(self.cookie, session_id, max_age=SESSION_HOURS * 3600, path="/", httponly=True,
                            samesite="lax", secure=self.secure)
        return response

    def token_id(self, request: Request) -> str | None:
        """The token the request's live session acts as, if it has one."""
        session_id = request.cookies.get(self.cookie)
        if not session_id:
            return None
        with self.engine.connect() as conn:
            return conn.execute(select(sessions.c.token_id).where(
                sessions.c.id_sha256 == _digest(session_id), sessions.c.expires_at > self.clock.now())).scalar()

    def end(self, request: Request, response: Response) -> Response:
        """Forget the request's session on the server (every copy of its cookie stops working)
        and in this browser."""
        session_id = request.cookies.get(self.cookie)
        if session_id:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.id_sha256 == _digest(session_id)))
        response.delete_cookie(self.cookie, path="/", httponly=True, samesite="lax", secure=self.secure)
        return response
