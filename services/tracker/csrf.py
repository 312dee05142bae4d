"""CSRF protection for the HTML forms, without sessions: a random value in
a SameSite cookie, and the same value signed in a hidden field."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature

from services.common.clock import SYSTEM, Clock
from services.common.signing import timed_serializer

COOKIE = "ft_csrf"
MAX_AGE = 4 * 3600


class CsrfError(ValueError):
    """The form is stale or was not sent from our page."""


class Csrf:
    def __init__(self, secret_key: str, clock: Clock = SYSTEM) -> None:
        self._s = timed_serializer(secret_key, "followthrough.csrf", clock)

    def issue(self, request: Request) -> tuple[str, str]:
        """(the form's hidden value, the cookie's value)."""
        nonce = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
        return self._s.dumps(nonce), nonce

    @staticmethod
    def remember(request: Request, response: Response, nonce: str) -> Response:
        response.set_cookie(COOKIE, nonce, max_age=MAX_AGE, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    def check(self, request: Request, token: str | None) -> None:
        try:
            nonce = self._s.loads(token or "", max_age=MAX_AGE)
        except BadSignature:
            raise CsrfError("This form is out of date. Reload the page and try again.") from None
        if not secrets.compare_digest(nonce, request.cookies.get(COOKIE, "")):
            raise CsrfError("This form is out of date. Reload the page and try again.")
