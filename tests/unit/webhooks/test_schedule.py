"""The Standard Webhooks retry schedule: ten attempts over 75h35m05s, each delay within ±10 % with jitter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.webhooks.domain.schedule import SCHEDULE, next_attempt_at

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
SPAN = dt.timedelta(hours=75, minutes=35, seconds=5)


def _run(jitters) -> list[dt.datetime]:
    """The times of attempts 1.. when every attempt fails at once."""
    times, attempts = [T0], 1
    while (due := next_attempt_at(attempts, times[-1], jitter=next(jitters))) is not None:
        times.append(due)
        attempts += 1
    return times


def test_the_schedule_is_the_specs():
    assert [int(d.total_seconds()) for d in SCHEDULE] == [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    assert sum(SCHEDULE, dt.timedelta()) == SPAN


def test_ten_attempts_then_none():
    times = _run(iter(lambda: 0.0, None))
    assert len(times) == 10
    assert times[-1] - times[0] == SPAN
    assert next_attempt_at(10, T0) is None and next_attempt_at(11, T0) is None


@given(st.lists(st.floats(-0.1, 0.1), min_size=10, max_size=10))
def test_with_jitter_each_delay_and_the_span_stay_within_ten_percent(jitters):
    times = _run(iter(jitters))
    assert len(times) == 10
    for n in range(1, 10):
        delay, spec = times[n] - times[n - 1], SCHEDULE[n]
        assert spec * 0.9 <= delay <= spec * 1.1
    assert SPAN * 0.9 <= times[-1] - times[0] <= SPAN * 1.1


def test_a_longer_retry_after_replaces_the_delay_up_to_a_day():
    assert next_attempt_at(1, T0, retry_after=dt.timedelta(minutes=2)) == T0 + dt.timedelta(minutes=2)
    assert next_attempt_at(3, T0, retry_after=dt.timedelta(seconds=10)) == T0 + dt.timedelta(minutes=30)
    assert next_attempt_at(1, T0, retry_after=dt.timedelta(days=9)) == T0 + dt.timedelta(hours=24)
    assert next_attempt_at(10, T0, retry_after=dt.timedelta(seconds=1)) is None


@pytest.mark.parametrize(("attempts", "jitter", "field"), [(0, 0.0, "attempts_made"), (1, 0.5, "jitter")])
def test_bad_arguments_are_named(attempts, jitter, field):
    with pytest.raises(ValueError, match=field):
        next_attempt_at(attempts, T0, jitter=jitter)
