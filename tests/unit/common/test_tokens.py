"""API tokens expire and can be revoked; panel access codes can be rotated."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common import tokens
from services.common.db import make_engine
from services.common.migrate import upgrade_common

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tokens.db'}")
    upgrade_common(engine)
    return engine


def test_a_token_works_until_it_expires(engine):
    token = tokens.issue(engine, "admin", email="a@example.org", days=30, now=NOW)
    assert tokens.authenticate(engine, token, NOW + dt.timedelta(days=29)).role == "admin"
    with pytest.raises(tokens.Refused) as refused:
        tokens.authenticate(engine, token, NOW + dt.timedelta(days=30, seconds=1))
    assert refused.value.reason == "expired" and refused.value.expired_at == NOW + dt.timedelta(days=30)
    assert tokens.verify(engine, token, NOW + dt.timedelta(days=31)) is None


def test_unknown_wrong_and_revoked_tokens(engine):
    token = tokens.issue(engine, "owner", email="o@example.org", now=NOW)
    token_id = token.split("_")[1]
    for bad in ("ft_nothing_here", token[:-2] + "xx", "bearer", ""):
        with pytest.raises(tokens.Refused) as refused:
            tokens.authenticate(engine, bad, NOW)
        assert refused.value.reason == "unknown"
    assert tokens.revoke(engine, token_id, NOW) is True
    assert tokens.revoke(engine, token_id, NOW) is False  # already
    assert tokens.revoke(engine, "0" * 16, NOW) is None  # no such token
    with pytest.raises(tokens.Refused) as refused:
        tokens.authenticate(engine, token, NOW)
    assert refused.value.reason == "revoked"


def test_the_default_lifetime_is_90_days(engine):
    tokens.issue(engine, "admin", email="a@example.org", now=NOW)
    (row,) = tokens.list_tokens(engine)
    assert row["expires"] == NOW + dt.timedelta(days=tokens.DEFAULT_DAYS) and tokens.DEFAULT_DAYS == 90


def test_the_list_has_no_secrets(engine):
    token = tokens.issue(engine, "facilitator", email="f@example.org", panel="p", now=NOW)
    rows = tokens.list_tokens(engine)
    assert [set(r) for r in rows] == [{"id", "role", "email", "panel", "created", "expires", "revoked",
                                      "expiry_from_upgrade"}]
    assert token.split("_", 2)[2] not in str(rows)


def test_a_facilitator_token_names_a_panel_or_every_panel_explicitly(engine):
    with pytest.raises(ValueError, match="--all-panels"):
        tokens.issue(engine, "facilitator", email="f@example.org", now=NOW)
    with pytest.raises(ValueError, match="not both"):
        tokens.issue(engine, "facilitator", email="f@example.org", panel="p", all_panels=True, now=NOW)
    one = tokens.authenticate(engine, tokens.issue(engine, "facilitator", email="f@example.org", panel="p", now=NOW),
                              NOW)
    every = tokens.authenticate(engine, tokens.issue(engine, "facilitator", email="f@example.org", all_panels=True,
                                                     now=NOW), NOW)
    assert one.may_write_panel("p") and not one.may_write_panel("q")
    assert every.may_write_panel("p") and every.may_write_panel("q")
