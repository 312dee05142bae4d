"""Facilitators' sessions on the server, on SQLite (the pages: tests/integration/intake/
test_signin_safety.py): the cookie is a random id and nothing else, the table keeps only its
digest, and a session ends at sign-out or after 8 hours, whichever comes first."""

from __future__ import annotations

import datetime as dt
import hashlib
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa
from fastapi import Request, Response
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.intake.adapters.storage import SqlStorage
from services.intake.app import migrate
from services.intake.domain.signin import SESSION_HOURS
from services.intake.web.sessioncookie import Sessions

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'intake.db'}")
    migrate(engine)
    return engine


def _request(cookies: dict[str, str]) -> Request:
    header = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [(b"cookie", header)]})


def _start(sessions: Sessions, token_id: str = "t1") -> tuple[str, str]:
    set_cookie = sessions.start(Response(), token_id).headers["set-cookie"]
    (morsel,) = SimpleCookie(set_cookie).values()
    return morsel.value, set_cookie


def test_a_session_acts_as_its_token_until_sign_out(engine):
    sessions = Sessions(SqlStorage(engine), SimulatedClock(NOW), "http://127.0.0.1:8001")
    value, set_cookie = _start(sessions)
    assert set_cookie.startswith("ft_session=") and "HttpOnly" in set_cookie and "Secure" not in set_cookie
    assert f"Max-Age={SESSION_HOURS * 3600}" in set_cookie
    request = _request({"ft_session": value})
    assert sessions.token_id(request) == "t1"
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT id_sha256 FROM intake_sessions")).scalars().all()
    assert hashlib.sha256(value.encode()).hexdigest() in stored and value not in stored
    ended = sessions.end(request, Response()).headers["set-cookie"]
    assert ended.startswith('ft_session=""') and "Max-Age=0" in ended
    assert sessions.token_id(request) is None  # the same cookie, sent again after sign-out


def test_a_session_ends_after_8_hours(engine):
    clock = SimulatedClock(NOW)
    sessions = Sessions(SqlStorage(engine), clock, "http://127.0.0.1:8001")
    request = _request({"ft_session": _start(sessions)[0]})
    clock.advance(dt.timedelta(hours=SESSION_HOURS) - dt.timedelta(seconds=1))
    assert sessions.token_id(request) == "t1"
    clock.advance(dt.timedelta(seconds=1))
    assert sessions.token_id(request) is None


def test_ended_sessions_are_forgotten_when_the_next_one_starts(engine):
    clock = SimulatedClock(NOW + dt.timedelta(days=30))
    sessions = Sessions(SqlStorage(engine), clock, "http://127.0.0.1:8001")
    _start(sessions)
    clock.advance(dt.timedelta(hours=SESSION_HOURS))
    _start(sessions)
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT expires_at FROM intake_sessions")).scalars().all()
    assert len(left) == 1


def test_an_https_intake_sets_a_secure_host_cookie(engine):
    sessions = Sessions(SqlStorage(engine), SimulatedClock(NOW), "HTTPS://intake.example.org")
    value, set_cookie = _start(sessions)
    assert set_cookie.startswith("__Host-ft_session=") and "Secure" in set_cookie and "Path=/" in set_cookie
    assert sessions.token_id(_request({"__Host-ft_session": value})) == "t1"
    assert sessions.token_id(_request({"ft_session": value})) is None  # a cookie another host could set


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters=';,"\\ '), min_size=1, max_size=60))
def test_no_made_up_cookie_is_a_session(engine, value):
    sessions = Sessions(SqlStorage(engine), SimulatedClock(NOW), "http://127.0.0.1:8001")
    assert sessions.token_id(_request({"ft_session": value})) is None
