"""CSRF protection for the HTML forms of any service (the tracker's pages, intake's facilitator
pages), without sessions: a random nonce in a
SameSite cookie, and the same nonce signed in a hidden field.

The nonce is always ours: the cookie carries it signed, and a cookie we did not
sign (one a client or a sibling host set) is ignored and replaced, so nobody
can choose the nonce a page's form token is made for. Where the public URL is
https the cookie is `Secure` and named with the `__Host-` prefix (no other
host may set it); that follows the configured public URL, not the request,
which reaches us as plain http behind a TLS-terminating proxy."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, Signer

from services.common.clock import SYSTEM, Clock
from services.common.signing import timed_serializer

MAX_AGE = 4 * 3600
STALE = "This form is out of date. Reload the page and try again."


class CsrfError(ValueError):
    """The form is stale or was not sent from our page."""


class Csrf:
    def __init__(self, secret_key: str, clock: Clock = SYSTEM, *, public_url: str | None = None,
                 name: str = "csrf") -> None:
        """`public_url`: where people reach the service; https makes the cookie Secure. Without
        it, the request's own scheme decides. `name` keeps each service's cookie and signatures
        apart (browsers do not keep cookies apart by port): the tracker's is "csrf"."""
        self._s = timed_serializer(secret_key, f"followthrough.{name}", clock)
        self._cookie_signer = Signer(secret_key, salt=f"followthrough.{name}-cookie")
        self._cookie, self._secure_cookie = f"ft_{name}", f"__Host-ft_{name}"
        self._secure = None if public_url is None else public_url.lower().startswith("https://")

    def _is_secure(self, request: Request) -> bool:
        return request.url.scheme == "https" if self._secure is None else self._secure

    def _cookie_name(self, request: Request) -> str:
        return self._secure_cookie if self._is_secure(request) else self._cookie

    def _nonce(self, request: Request) -> str | None:
        """The nonce in the request's cookie, if we signed it."""
        value = request.cookies.get(self._cookie_name(request))
        if not value:
            return None
        try:
            return self._cookie_signer.unsign(value).decode()
        except BadSignature:
            return None

    def issue(self, request: Request) -> tuple[str, str]:
        """(the form's hidden value, the cookie's value). A cookie we signed is kept, so two
        tabs' forms both work; anything else gets a fresh nonce."""
        nonce = self._nonce(request)
        if nonce is None:
            nonce = secrets.token_urlsafe(16)
            cookie = self._cookie_signer.sign(nonce).decode()
        else:
            cookie = request.cookies[self._cookie_name(request)]
        return self._s.dumps(nonce), cookie

    def remember(self, request: Request, response: Response, cookie: str) -> Response:
        response.set_cookie(self._cookie_name(request), cookie, max_age=MAX_AGE, path="/", httponly=True,
                            samesite="strict", secure=self._is_secure(request))
        return response

    def check(self, request: Request, token: str | None) -> None:
        try:
            nonce = self._s.loads(token or "", max_age=MAX_AGE)
        except BadSignature:
            raise CsrfError(STALE) from None
        ours = self._nonce(request)
        if ours is None or not isinstance(nonce, str) or not secrets.compare_digest(nonce, ours):
            raise CsrfError(STALE)
