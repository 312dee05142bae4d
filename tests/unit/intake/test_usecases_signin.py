"""Signing in, on the in-memory storage: who gets a link, that a link works once and for 15
minutes, that a session lasts at most 8 hours and ends at sign-out or with its token. The same
on SQLite: test_signin_links.py and test_sessions.py; the pages: tests/integration/intake/."""

from __future__ import annotations

import datetime as dt

import pytest

from services.intake.domain.signin import LINK_MINUTES, SESSION_HOURS, digest
from services.intake.usecases import signin
from services.intake.usecases.errors import LinkRefused
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
EARLIER = NOW - dt.timedelta(days=10)


@pytest.fixture
def storage() -> FakeStorage:
    storage = FakeStorage()
    storage.person("fac", "facilitator", "Youth.Worker@example.org", "p1", created_at=EARLIER)
    return storage


def test_nobody_unknown_gets_a_link(storage):
    storage.person("own", "owner", "owner@example.org", created_at=EARLIER)
    storage.person("old", "facilitator", "old@example.org", "p1", created_at=EARLIER, expires_at=NOW)
    for address in ("owner@example.org", "old@example.org", "nobody@example.org"):
        assert signin.new_link(storage, address, NOW) is None
    assert storage.state.links == {}


def test_an_admin_token_is_preferred_then_the_newest(storage):
    storage.person("fac2", "facilitator", "youth.worker@example.org", "p2", created_at=NOW)
    assert signin.new_link(storage, " YOUTH.worker@example.org", NOW)[1].token_id == "fac2"
    storage.person("adm", "admin", "youth.worker@example.org", created_at=EARLIER)
    assert signin.new_link(storage, "youth.worker@example.org", NOW)[1].token_id == "adm"


def test_a_link_works_once_and_only_its_digest_is_kept(storage):
    secret, person = signin.new_link(storage, "youth.worker@example.org", NOW)
    assert set(storage.state.links) == {digest(secret)}
    assert signin.check_link(storage, secret, NOW, use=False) == person  # looking does not use it
    assert signin.check_link(storage, secret, NOW, use=True) == person
    with pytest.raises(LinkRefused, match="already used"):
        signin.check_link(storage, secret, NOW, use=True)
    with pytest.raises(LinkRefused, match="not valid"):
        signin.check_link(storage, secret + "x", NOW, use=False)


def test_a_link_expires(storage):
    secret, person = signin.new_link(storage, "youth.worker@example.org", NOW)
    ends = NOW + dt.timedelta(minutes=LINK_MINUTES)
    assert signin.check_link(storage, secret, ends - dt.timedelta(seconds=1), use=False) == person
    with pytest.raises(LinkRefused, match="expired"):
        signin.check_link(storage, secret, ends, use=True)
    assert not storage.state.uses


def test_a_revoked_token_ends_its_links_and_sessions(storage):
    secret, person = signin.new_link(storage, "youth.worker@example.org", NOW)
    session = signin.start_session(storage, person.token_id, NOW)
    storage.state.people[0].revoked = True
    with pytest.raises(LinkRefused, match="ended"):
        signin.check_link(storage, secret, NOW, use=True)
    assert signin.session_person(storage, session, NOW) is None


def test_links_a_day_past_expiry_are_forgotten_when_the_next_is_made(storage):
    old, _ = signin.new_link(storage, "youth.worker@example.org", NOW)
    signin.check_link(storage, old, NOW, use=True)
    new, _ = signin.new_link(storage, "youth.worker@example.org", NOW + dt.timedelta(days=2))
    assert set(storage.state.links) == {digest(new)} and storage.state.uses == {}


def test_a_session_acts_as_its_person_until_sign_out_or_8_hours(storage):
    session = signin.start_session(storage, "fac", NOW)
    assert session not in str(storage.state.sessions)  # only its digest is kept
    ends = NOW + dt.timedelta(hours=SESSION_HOURS)
    assert signin.session_person(storage, session, ends - dt.timedelta(seconds=1)).token_id == "fac"
    assert signin.session_person(storage, session, ends) is None
    signin.end_session(storage, session)
    assert signin.session_person(storage, session, NOW) is None
    assert signin.session_person(storage, None, NOW) is None and signin.session_person(storage, "made-up", NOW) is None
