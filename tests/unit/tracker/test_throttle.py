"""The sliding window counter's arithmetic (`usecases/throttle.py`): a window never holds more than
the limit, what the previous window held slides out as time goes on, and a client that waits
the seconds it is told finds room."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.usecases.throttle import room, wait

limits = st.tuples(st.integers(1, 50), st.sampled_from([1, 60, 900, 3600]))


def _fits(amount: int, period: int, windows: dict[int, int], at: float) -> bool:
    bucket = int(at // period)
    return windows.get(bucket, 0) < room(amount, windows.get(bucket - 1, 0), at - bucket * period, period)


@given(limit=limits, gaps=st.lists(st.floats(0, 2, allow_nan=False), min_size=1, max_size=120))
def test_no_window_holds_more_than_the_limit(limit, gaps):
    amount, period = limit
    windows, at = {}, 0.0
    for gap in gaps:
        at += gap * period / amount
        if _fits(amount, period, windows, at):
            windows[int(at // period)] = windows.get(int(at // period), 0) + 1
    assert max(windows.values(), default=0) <= amount


@given(limit=limits, previous=st.integers(0, 50), current=st.integers(0, 50), share=st.floats(0, 0.999))
def test_a_refused_client_that_waits_as_told_finds_room(limit, previous, current, share):
    amount, period = limit
    previous, current = min(previous, amount), min(current, amount)
    elapsed = share * period
    windows = {0: previous, 1: current}
    if _fits(amount, period, windows, period + elapsed):
        return
    later = period + elapsed + wait(amount, previous, current, elapsed, period) + 1e-6
    assert _fits(amount, period, windows, later)


def test_the_previous_windows_hits_slide_out():
    assert room(12, 12, 0, 60) == 0
    assert room(12, 12, 30, 60) == 6
    assert room(12, 0, 0, 60) == 12
    assert wait(12, 12, 6, 30, 60) == 5  # at 35 s, 7 of the previous 12 still count: room for 1 more
