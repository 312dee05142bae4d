"""A notifier ledger on a SQLite file (for the SQL adapter's tests), a simulated clock and
notices to deliver. The use cases' tests use the in-memory fakes in fakes.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from schemas import Notice
from services.common.clock import SimulatedClock, utcnow
from services.common.db import make_engine
from tests.support.notices import notice_event


@pytest.fixture
def engine(tmp_path):
    from services.notifier.bootstrap import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'notifier.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return SimulatedClock(utcnow())


def make_notice(uid: str = "u1", **changes) -> Notice:
    data = notice_event(uid)["data"]["notice"]
    return Notice.model_validate({**data, **changes})


def delivery_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT notice_id, recipient, state, attempts, next_attempt_at, last_error "
                                    "FROM notifier_deliveries ORDER BY recipient")).all()


def outbox_events(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT payload FROM notifier_outbox ORDER BY id")).scalars()
        return [json.loads(p) for p in rows]


def later(clock, seconds: float) -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=seconds)
