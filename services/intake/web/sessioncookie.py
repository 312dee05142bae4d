"""Facilitators' sessions as the browser sees them: a cookie holding only a random id.

Anyone who copies the cookie learns nothing of who the person is or their panel; the server
keeps only the id's SHA-256 (`usecases/signin.py`). Signing out ends the session on the
server, so a copied cookie stops working at once."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.clock import Clock
from services.common.settings import is_https
from services.common.tokens import Principal
from services.intake.usecases import signin
from services.intake.usecases.ports import Storage


class Sessions:
    def __init__(self, storage: Storage, clock: Clock, public_url: str) -> None:
        """`public_url`: where facilitators reach intake; https makes the cookie Secure and
        `__Host-` (only this host may set it), whatever scheme reaches us behind a TLS proxy."""
        self.storage, self.clock = storage, clock
        self.secure = is_https(public_url)
        self.cookie = "__Host-ft_session" if self.secure else "ft_session"

    def start(self, response: Response, token_id: str) -> Response:
        """A new session acting as `token_id`, its id set in the response's cookie."""
        session_id = signin.start_session(self.storage, token_id, self.clock.now())
        response.set_cookie(self.cookie, session_id, max_age=signin.SESSION_HOURS * 3600, path="/", httponly=True,
                            samesite="lax", secure=self.secure)
        return response

    def token_id(self, request: Request) -> str | None:
        """The token the request's live session acts as, if it has one."""
        return signin.session_token(self.storage, request.cookies.get(self.cookie), self.clock.now())

    def person(self, request: Request) -> Principal | None:
        """The person behind the request's live session, if their token is live too."""
        return signin.session_person(self.storage, request.cookies.get(self.cookie), self.clock.now())

    def end(self, request: Request, response: Response) -> Response:
        """Forget the request's session on the server and in this browser."""
        signin.end_session(self.storage, request.cookies.get(self.cookie))
        response.delete_cookie(self.cookie, path="/", httponly=True, samesite="lax", secure=self.secure)
        return response
