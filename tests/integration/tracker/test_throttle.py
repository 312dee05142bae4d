"""The per-client POST limits in the database, on SQLite and PostgreSQL: racing hits let through
exactly the limit, a window slides, and a client's rows are gone once they no longer count."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from services.common.clock import SimulatedClock
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.usecases.throttle import Throttle

START = dt.datetime(2026, 11, 26, 12, 0, 0, tzinfo=dt.timezone.utc)  # a window's first second


def test_racing_hits_let_through_exactly_the_limit(engine):
    throttle = Throttle(SqlStorage(engine), SimulatedClock(START))
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: throttle.hit("verdicts", "one-client", 12, 60), range(40)))
    assert waits.count(None) == 12, f"{waits.count(None)} hits let through, not 12"
    assert all(0 < w <= 120 for w in waits if w is not None)  # within this window and the next
    assert throttle.hit("verdicts", "another-client", 12, 60) is None  # per client
    assert throttle.hit("pulses", "one-client", 12, 60) is None  # per rule


def test_the_window_slides_and_its_rows_go_when_they_no_longer_count(engine):
    clock = SimulatedClock(START + dt.timedelta(seconds=50))
    throttle = Throttle(SqlStorage(engine), clock)
    assert [throttle.hit("replies", "c", 4, 60) for _ in range(4)] == [None] * 4
    waited = throttle.hit("replies", "c", 4, 60)
    assert waited is not None and waited > 10  # the next window starts full of these four
    clock.advance(dt.timedelta(seconds=waited + 0.001))
    assert throttle.hit("replies", "c", 4, 60) is None
    clock.advance(dt.timedelta(minutes=3))
    throttle.hit("replies", "someone-else", 4, 60)
    with engine.connect() as conn:
        clients = conn.execute(sa.text("SELECT client FROM tracker_rate_windows")).scalars().all()
    assert clients == ["someone-else"]
