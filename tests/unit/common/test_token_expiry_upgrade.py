"""Tokens issued before expiry existed (a null `expires_at`) are given one by the upgrade: the default
lifetime from the day of the upgrade. Panel access codes from 0.1.0, rows of role `panel` that intake
carried over into its own table, are left alone."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from services.cli_admin import token_app
from services.common import tokens
from services.common.migrate import upgrade_common
from tests.support.oldtokens import database_of_the_old_release, expires_after_upgrade


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'old.db'}"


def test_an_old_token_gets_an_expiry_on_upgrade_and_is_refused_after_it(url):
    expires_after_upgrade(database_of_the_old_release(url))


def test_token_list_says_which_expiries_the_upgrade_gave(url):
    engine = database_of_the_old_release(url)
    upgrade_common(engine)
    tokens.issue(engine, "admin", email="new@example.org")
    out = CliRunner().invoke(token_app, ["list"], env={"DATABASE_URL": url}, catch_exceptions=False).output
    expiry = {t["id"]: t["expires"] for t in tokens.list_tokens(engine)}["oldadmin"].strftime("%Y-%m-%d %H:%M")
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert f"{expiry}*" in lines["oldadmin"] and f"{expiry}*" in lines["oldowner"]
    assert "*" not in lines["dated"] and "*" not in lines["oldpanel"] and "never" in lines["oldpanel"]
    assert "* 2 tokens issued before expiry existed: their expiry was given by the upgrade" in out
