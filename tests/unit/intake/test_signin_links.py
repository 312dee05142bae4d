"""One-time sign-in links on SQLite (PostgreSQL and the pages: tests/integration/intake/
test_facilitator_pages.py): only a digest is stored, a link works once and for 15 minutes,
and the token behind it decides who signs in."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from services.common import tokens
from services.common.db import make_engine
from services.common.tokens import Principal
from services.intake.adapters.storage import SqlStorage
from services.intake.app import migrate
from services.intake.usecases import signin

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    migrate(engine)
    return engine


def test_a_link_works_once_and_only_its_digest_is_kept(engine):
    tokens.issue(engine, "facilitator", email="Youth.Worker@example.org", panel="p1", now=NOW)
    secret, person = signin.new_link(SqlStorage(engine), "youth.worker@EXAMPLE.org ", NOW)
    assert person.panel == "p1" and person.role == "facilitator"
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_sha256 FROM intake_signin_links")).scalar_one()
    assert secret not in stored
    assert signin.check_link(SqlStorage(engine), secret, NOW, use=False) == person  # looking does not use it
    assert signin.check_link(SqlStorage(engine), secret, NOW, use=True) == person
    with pytest.raises(signin.LinkRefused, match="already used"):
        signin.check_link(SqlStorage(engine), secret, NOW, use=True)
    with pytest.raises(signin.LinkRefused, match="not valid"):
        signin.check_link(SqlStorage(engine), secret + "x", NOW, use=True)


def test_a_link_expires_after_15_minutes(engine):
    tokens.issue(engine, "admin", email="admin@example.org", now=NOW)
    secret, _ = signin.new_link(SqlStorage(engine), "admin@example.org", NOW)
    later = NOW + dt.timedelta(minutes=15)
    with pytest.raises(signin.LinkRefused, match="expired"):
        signin.check_link(SqlStorage(engine), secret, later, use=True)


def test_only_live_facilitator_and_admin_tokens_get_a_link(engine):
    tokens.issue(engine, "owner", email="owner@example.org", now=NOW)
    expired = tokens.issue(engine, "facilitator", email="old@example.org", panel="p1", days=1,
                           now=NOW - dt.timedelta(days=2))
    assert signin.new_link(SqlStorage(engine), "owner@example.org", NOW) is None
    assert signin.new_link(SqlStorage(engine), "old@example.org", NOW) is None
    assert signin.new_link(SqlStorage(engine), "nobody@example.org", NOW) is None
    assert expired


def test_revoking_the_token_stops_its_links_and_sessions(engine):
    token = tokens.issue(engine, "facilitator", email="f@example.org", panel="p1", now=NOW)
    secret, person = signin.new_link(SqlStorage(engine), "f@example.org", NOW)
    assert signin.person_of_token(SqlStorage(engine), person.token_id, NOW) == person
    tokens.revoke(engine, token.split("_")[1], now=NOW)
    assert signin.person_of_token(SqlStorage(engine), person.token_id, NOW) is None
    with pytest.raises(signin.LinkRefused, match="ended"):
        signin.check_link(SqlStorage(engine), secret, NOW, use=True)


def test_links_a_day_past_expiry_are_forgotten(engine):
    tokens.issue(engine, "admin", email="a@example.org", now=NOW)
    old, _ = signin.new_link(SqlStorage(engine), "a@example.org", NOW)
    signin.check_link(SqlStorage(engine), old, NOW, use=True)
    signin.new_link(SqlStorage(engine), "a@example.org", NOW + dt.timedelta(days=2))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM intake_signin_links")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM intake_signin_uses")).scalar_one() == 0


def test_a_facilitator_records_only_for_their_panel():
    assert Principal("t", "facilitator", "e", "p1").may_write_panel("p1")
    assert not Principal("t", "facilitator", "e", "p1").may_write_panel("p2")
    assert Principal("t", "admin", "e", None).may_write_panel("p2")
