"""The upgrade that gives old tokens an expiry, on PostgreSQL (the unit test runs it on SQLite)."""

from __future__ import annotations

from tests.support.oldtokens import database_of_the_old_release, expires_after_upgrade


def test_an_old_token_gets_an_expiry_on_upgrade_on_postgresql(database_url):
    expires_after_upgrade(database_of_the_old_release(database_url))
