"""Bearer-token dependencies for FastAPI routes."""

from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from services.common import tokens
from services.common.clock import SYSTEM
from services.common.problems import FORBIDDEN, INVALID_TOKEN, TOKEN_EXPIRED, TOKEN_REVOKED, UNAUTHENTICATED, Problem

_bearer = HTTPBearer(auto_error=False, description="A token from `followthrough token issue`")
_BEARER = {"WWW-Authenticate": "Bearer"}


def require_roles(engine_of: Callable[[Request], Engine], *roles: str):
    """A dependency that returns the caller, or answers 401/403 with the fix."""

    def dependency(request: Request,
                   cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> tokens.Principal:
        if cred is None:
            raise UNAUTHENTICATED(
                "Send 'Authorization: Bearer <token>'; a token comes from `followthrough token issue`.",
                headers=_BEARER)
        clock = getattr(request.app.state, "clock", SYSTEM)
        try:
            who = tokens.authenticate(engine_of(request), cred.credentials, clock.now())
        except tokens.Refused as refused:
            raise _refusal(refused) from None
        if who.role not in roles:
            raise FORBIDDEN(f"A {who.role} token cannot do this; it needs one of: {', '.join(roles)}.")
        return who

    return dependency


def _refusal(refused: tokens.Refused) -> Problem:
    if refused.reason == "expired":
        when = refused.expired_at.strftime("%Y-%m-%d %H:%M UTC")
        return TOKEN_EXPIRED(
            f"This token expired on {when}. Ask an admin for a new one "
            "(`followthrough token issue --role ROLE --email EMAIL --days N`).",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token expired"'})
    if refused.reason == "revoked":
        return TOKEN_REVOKED(
            "This token was revoked; ask an admin for a new one (`followthrough token issue`).",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return INVALID_TOKEN("The token is unknown or revoked; ask an admin for a new one.", headers=_BEARER)
