"""A notifier ledger on a SQLite file, a simulated clock and a mailer that records
what it is given: the sender's own logic, quickly, without a broker or SMTP server."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from schemas import Notice
from services.common.clock import SimulatedClock, utcnow
from services.common.db import make_engine
from services.notifier.mailer import SendResult
from tests.support.notices import notice_event


@pytest.fixture
def engine(tmp_path):
    from services.notifier.app import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'notifier.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return SimulatedClock(utcnow())


class FakeMailer:
    """Accepts (or fails, or raises on) every message; reports a fixed number of free slots."""

    longest_send = 1.0

    def __init__(self, slots: int = 4, result: SendResult = SendResult(ok=True),
                 raises: Exception | None = None) -> None:
        self.slots, self.result, self.raises, self.sent = slots, result, raises, []

    def free_slots(self) -> int:
        return self.slots

    async def send(self, message):
        self.sent.append(message)
        if self.raises:
            raise self.raises
        return self.result


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
