"""A token table as the release before token expiry was backfilled left it (common revision
b7e2a91c4d05): tokens with a null expiry, a 0.1.0 panel access code, and one with an expiry; and
what the upgrade must make of them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from services.common import tokens
from services.common.db import make_engine
from services.common.migrate import COMMON, upgrade_common

BEFORE_BACKFILL = "b7e2a91c4d05"  # the revision that added expires_at, null for every older token
SECRET = "old-secret-with-plenty-of-entropy"
UTC = dt.timezone.utc


def database_of_the_old_release(url: str) -> sa.Engine:
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(COMMON))
    with engine.begin() as conn:
        cfg.attributes.update(connection=conn, version_table="common_alembic_version", metadata=sa.MetaData())
        command.upgrade(cfg, BEFORE_BACKFILL)
    with engine.begin() as conn:
        for token_id, role, expires in (("oldadmin", "admin", None), ("oldowner", "owner", None),
                                        ("oldpanel", "panel", None),
                                        ("dated", "facilitator", dt.datetime(2027, 1, 1, tzinfo=UTC))):
            conn.execute(sa.text("INSERT INTO api_tokens (id, secret_sha256, role, email, expires_at)"
                                 " VALUES (:i, :d, :r, 'x@example.org', :e)"),
                         {"i": token_id, "d": hashlib.sha256(SECRET.encode()).hexdigest(), "r": role, "e": expires})
    return engine


def expires_after_upgrade(engine) -> None:
    """Upgrade a database left by the old release and check what its tokens became (also on PostgreSQL)."""
    started = dt.datetime.now(UTC)
    upgrade_common(engine)
    finished = dt.datetime.now(UTC)

    expires = {t["id"]: t["expires"] for t in tokens.list_tokens(engine)}
    lifetime = dt.timedelta(days=tokens.DEFAULT_DAYS)
    assert started + lifetime - dt.timedelta(seconds=1) <= expires["oldadmin"] <= finished + lifetime
    assert expires["oldowner"] == expires["oldadmin"]
    assert expires["dated"] == dt.datetime(2027, 1, 1, tzinfo=UTC)  # an expiry it had is kept
    assert expires["oldpanel"] is None  # not a token: a 0.1.0 panel access code, which intake now holds

    token = f"ft_oldadmin_{SECRET}"
    assert tokens.authenticate(engine, token, expires["oldadmin"] - dt.timedelta(seconds=1)).role == "admin"
    with pytest.raises(tokens.Refused) as refused:
        tokens.authenticate(engine, token, expires["oldadmin"])
    assert refused.value.reason == "expired"

    upgrade_common(engine)  # nothing runs twice
    assert {t["id"]: t["expires"] for t in tokens.list_tokens(engine)} == expires
