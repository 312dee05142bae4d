"""The wrong-code lockout on SQLite and PostgreSQL: counted atomically in the database, so racing
requests lock at the same count as one at a time, and however many clients lock themselves out,
the panel's checking window grows by at most one day per day."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.usecases.access import AccessCodes
from services.tracker.usecases.errors import TooManyAttempts, WrongCode
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event, panel_code, panel_event

UID = "limits"


@pytest.fixture
def done(engine) -> str:
    """A commitment of panel-limits the police marked done: the panel's check is awaited."""
    handlers = Handlers(SqlStorage(engine), load_policy_file(None))
    event = agreed_event(UID, dt.date(2026, 12, 20), agreed_on=dt.date(2026, 10, 1))
    for e in (panel_event(UID), event):
        handlers.handle(*parse_event(json.dumps(e).encode()))
    cid = event["data"]["commitment"]["id"]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET status = 'done' WHERE id = :id"), {"id": cid})
    return cid


def _extra_days(engine, cid: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT confirm_extra_days FROM tracker_commitments WHERE id = :id"),
                            {"id": cid}).scalar()


def _answer(codes: AccessCodes, cid: str, code: str, client: str) -> str:
    try:
        codes.check(cid, code, client)
    except WrongCode:
        return "wrong"
    except TooManyAttempts:
        return "locked"
    return "ok"


def test_thirty_locked_out_clients_give_the_panel_one_more_day_not_thirty(engine, done):
    clock = SimulatedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc))
    codes = AccessCodes(SqlStorage(engine), clock)
    for n in range(30):
        answers = [_answer(codes, done, "guess", f"address-{n}") for _ in range(11)]
        assert answers == ["wrong"] * 10 + ["locked"], answers
    extra = _extra_days(engine, done)
    assert extra == 1, f"30 lockouts in one day gave the panel {extra} extra days"
    # The next day's lock is a new day's delay for the panel: one more.
    clock.advance(dt.timedelta(days=1))
    assert [_answer(codes, done, "guess", "address-0") for _ in range(11)] == ["wrong"] * 10 + ["locked"]
    assert _extra_days(engine, done) == 2
    assert _answer(codes, done, panel_code(UID), "a-member") == "ok"


# PostgreSQL only: SQLite lets one writer in at a time, so it has no race to show.
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_racing_wrong_codes_lock_at_the_same_count_as_one_at_a_time(engine, done):
    clock = SimulatedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc))
    codes = AccessCodes(SqlStorage(engine), clock)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: _answer(codes, done, "guess", "one-stranger"), range(40)))
    assert answers.count("wrong") == 10, f"{answers.count('wrong')} wrong codes checked before the lock, not 10"
    assert answers.count("locked") == 30
    assert _extra_days(engine, done) == 1
