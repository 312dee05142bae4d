"""Bearer-token dependencies for FastAPI routes."""

from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from services.common import tokens
from services.common.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="A token from `followthrough token issue`")


def require_roles(engine_of: Callable[[Request], Engine], *roles: str):
    """A dependency that returns the caller, or answers 401/403 with the fix."""

    def dependency(request: Request,
                   cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> tokens.Principal:
        if cred is None:
            raise Problem(401, "Authentication required",
                          "Send 'Authorization: Bearer <token>'; a token comes from `followthrough token issue`.",
                          headers={"WWW-Authenticate": "Bearer"})
        who = tokens.verify(engine_of(request), cred.credentials)
        if who is None:
            raise Problem(401, "Invalid token", "The token is unknown or revoked; ask an admin for a new one.",
                          headers={"WWW-Authenticate": "Bearer"})
        if who.role not in roles:
            raise Problem(403, "Not allowed",
                          f"A {who.role} token cannot do this; it needs one of: {', '.join(roles)}.")
        return who

    return dependency
