"""API tokens and panel access codes, shared by every service on one database.

A token is `ft_<id>_<secret>` with a 256-bit random secret. Only SHA-256 of
the secret is stored: with that much entropy a slow hash buys nothing and
would cost every request tens of milliseconds. Panel access codes are the
same kind of record with role `panel`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

Role = Literal["admin", "facilitator", "owner", "panel"]
ROLES: tuple[str, ...] = ("admin", "facilitator", "owner", "panel")

metadata = MetaData()
api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(16), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("email", String(320)),
    Column("panel", String(64)),  # limits a facilitator, names a panel's access code
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    email: str | None
    panel: str | None

    def may_write_panel(self, slug: str) -> bool:
        return self.role == "admin" or (self.role == "facilitator" and self.panel in (None, slug))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(engine: Engine, role: str, email: str | None = None, panel: str | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():
        s.execute(api_tokens.insert().values(id=token_id, secret_sha256=_digest(secret),
                                             role=role, email=email, panel=panel))
    return f"ft_{token_id}_{secret}"


def issue_access_code(session: Session, panel: str) -> str:
    """A panel's access code, inside the caller's transaction; shown once."""
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(12)
    session.execute(api_tokens.insert().values(id=token_id, secret_sha256=_digest(secret),
                                               role="panel", panel=panel))
    return f"{token_id}-{secret}"


def verify(engine: Engine, token: str) -> Principal | None:
    try:
        prefix, token_id, secret = token.split("_", 2)
    except ValueError:
        return None
    if prefix != "ft":
        return None
    return _lookup(engine, token_id, secret, roles=("admin", "facilitator", "owner"))


def verify_access_code(engine: Engine, panel: str, code: str) -> bool:
    token_id, _, secret = code.strip().partition("-")
    p = _lookup(engine, token_id, secret, roles=("panel",))
    return p is not None and p.panel == panel


def _lookup(engine: Engine, token_id: str, secret: str, roles: tuple[str, ...]) -> Principal | None:
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    if row is None or row.revoked_at is not None or row.role not in roles:
        return None
    if not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    return Principal(row.id, row.role, row.email, row.panel)
