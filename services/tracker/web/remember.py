"""The panel's access code remembered on a device, so the forms of the panel's page ask for it once.

Once someone types the right code in a form of `/panels/{slug}`, the answer sets a cookie for that
panel's pages only (`Path=/panels/{slug}`; HttpOnly, SameSite=Lax, Secure where the public URL is
https). The cookie does not hold the code, in clear or otherwise: it is the tracker's signed word
that this device typed the code of the panel's current verifier, bound to a fingerprint of that
verifier. Rotating the panel's code changes the verifier, so every remembered device must type
the new code once; "forget the code on this device" deletes the cookie. A copied cookie lets its
holder answer this panel's forms (as a remembered password would) until then, and tells no one
the code, which is why the session pack cannot print the code either: the tracker never has it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from fastapi import Request, Response
from itsdangerous import BadSignature

from services.common.settings import secret
from services.common.signing import timed_serializer
from services.tracker.usecases.panelview import code_verifier

DAYS = 180  # about two terms of meetings; rotating the code ends it sooner
SALT = "followthrough.remembered-code"


def _fingerprint(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()[:32]


class RememberedCodes:
    def __init__(self, secret_key: str, clock, public_url: str) -> None:
        self._s = timed_serializer(secret_key, SALT, clock)
        self._secure = public_url.lower().startswith("https://")
        self._name = "__Secure-ft_code" if self._secure else "ft_code"

    @classmethod
    def of(cls, request: Request) -> RememberedCodes:
        state = request.app.state
        settings = state.settings
        return cls(secret(settings.followthrough_secret_key), state.clock, settings.public_url)

    def holds(self, request: Request) -> bool:
        """Whether this device sent a remembered code at all (maybe one since changed)."""
        return bool(request.cookies.get(self._name))

    def remembers(self, request: Request, slug: str, engine) -> bool:
        """Whether this device typed the code that the panel's current verifier verifies."""
        raw = request.cookies.get(self._name)
        if not raw:
            return False  # most visitors: no need to read the panel
        try:
            said = self._s.loads(raw, max_age=int(dt.timedelta(days=DAYS).total_seconds()))
        except BadSignature:
            return False
        if not isinstance(said, dict) or said.get("panel") != slug:
            return False
        verifier = code_verifier(engine, slug)
        return bool(verifier) and hmac.compare_digest(str(said.get("verifier", "")), _fingerprint(verifier))

    def keep(self, response: Response, slug: str, verifier: str) -> None:
        """Remember on this device that it typed the code of `verifier`."""
        value = self._s.dumps({"panel": slug, "verifier": _fingerprint(verifier)})
        response.set_cookie(self._name, value, max_age=int(dt.timedelta(days=DAYS).total_seconds()),
                            path=f"/panels/{slug}", httponly=True, samesite="lax", secure=self._secure)

    def forget(self, response: Response, slug: str) -> None:
        response.delete_cookie(self._name, path=f"/panels/{slug}", httponly=True, samesite="lax",
                               secure=self._secure)
