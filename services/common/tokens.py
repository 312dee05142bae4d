"""API tokens, accepted by every service that shares this database (contract §6).

A token is `ft_<id>_<secret>` with a 256-bit random secret. Only SHA-256 of
the secret is stored: with that much entropy a slow hash buys nothing and
would cost every request tens of milliseconds. (A panel's access code is not
a token: intake makes it and the tracker learns its digest from the panel's
events, see `accesscode.py`.)

A token expires (`expires_at`, default 90 days after it is issued) and can be
revoked. Tokens issued before expiry existed were given the default lifetime
from the day of the upgrade that brought it (migration c4f1e8a93b27,
`expiry_from_upgrade`; `followthrough token list` marks them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Boolean, Column, DateTime, Engine, MetaData, String, Table, false, func, select, update
from sqlalchemy.orm import Session

from services.common.clock import utcnow

ROLES: tuple[str, ...] = ("admin", "facilitator", "owner")
DEFAULT_DAYS = 90
UTC = dt.timezone.utc

metadata = MetaData()
api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(16), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("email", String(320)),
    Column("panel", String(64)),  # limits a facilitator to one panel; null: every panel (--all-panels)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),  # null: never (only 0.1.0 panel access codes)
    Column("expiry_from_upgrade", Boolean, nullable=False, server_default=false()),  # issued before expiry existed
)


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    email: str | None
    panel: str | None

    def may_write_panel(self, slug: str) -> bool:
        return self.role == "admin" or (self.role == "facilitator" and self.panel in (None, slug))


class Refused(Exception):
    """A token that does not let its bearer in, and why: `unknown` (no such token, or the wrong
    secret), `revoked` or `expired`. Only the holder of the right secret learns which."""

    def __init__(self, reason: Literal["unknown", "revoked", "expired"], expired_at: dt.datetime | None = None):
        super().__init__(reason)
        self.reason, self.expired_at = reason, expired_at


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every instant here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def issue(engine: Engine, role: str, email: str | None = None, panel: str | None = None, *,
          all_panels: bool = False, days: int | None = DEFAULT_DAYS, now: dt.datetime | None = None) -> str:
    """A new token, valid for `days` (None: no expiry); shown once, stored hashed. A facilitator's
    token names its panel, or writes to every panel only when `all_panels` says so."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "facilitator" and not panel and not all_panels:
        raise ValueError("a facilitator token needs a panel (--panel SLUG), or --all-panels to write to every panel")
    if panel and all_panels:
        raise ValueError("give a panel or all panels, not both")
    if days is not None and days < 1:
        raise ValueError("a token must be valid for at least one day")
    now = now or utcnow()
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():
        s.execute(api_tokens.insert().values(
            id=token_id, secret_sha256=_digest(secret), role=role, email=email, panel=panel, created_at=now,
            expires_at=now + dt.timedelta(days=days) if days is not None else None))
    return f"ft_{token_id}_{secret}"


def revoke(engine: Engine, token_id: str, now: dt.datetime | None = None) -> bool | None:
    """True: revoked now; False: it already was; None: there is no such token."""
    with Session(engine) as s, s.begin():
        row = s.execute(select(api_tokens.c.revoked_at).where(api_tokens.c.id == token_id)).first()
        if row is None:
            return None
        if row.revoked_at is not None:
            return False
        s.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now or utcnow()))
        return True


def list_tokens(engine: Engine) -> list[dict]:
    """Every token and access code, oldest first; never a secret or its hash."""
    c = api_tokens.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.role, c.email, c.panel, c.created_at, c.expires_at, c.revoked_at,
                                   c.expiry_from_upgrade).order_by(c.created_at, c.id)).all()
    return [{"id": r.id, "role": r.role, "email": r.email, "panel": r.panel, "created": _utc(r.created_at),
             "expires": _utc(r.expires_at), "revoked": _utc(r.revoked_at),
             "expiry_from_upgrade": bool(r.expiry_from_upgrade)} for r in rows]


def authenticate(engine: Engine, token: str, now: dt.datetime) -> Principal:
    """The bearer of an API token, or Refused saying why not."""
    try:
        prefix, token_id, secret = token.split("_", 2)
    except ValueError:
        raise Refused("unknown") from None
    if prefix != "ft":
        raise Refused("unknown")
    return _lookup(engine, token_id, secret, ("admin", "facilitator", "owner"), now)


def verify(engine: Engine, token: str, now: dt.datetime | None = None) -> Principal | None:
    try:
        return authenticate(engine, token, now or utcnow())
    except Refused:
        return None


def _lookup(engine: Engine, token_id: str, secret: str, roles: tuple[str, ...], now: dt.datetime) -> Principal:
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    if row is None or row.role not in roles or not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        raise Refused("unknown")
    if row.revoked_at is not None:
        raise Refused("revoked")
    expires_at = _utc(row.expires_at)
    if expires_at is not None and now >= expires_at:
        raise Refused("expired", expires_at)
    return Principal(row.id, row.role, row.email, row.panel)
