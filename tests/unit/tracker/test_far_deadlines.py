"""The domain's own guard on a deadline: however a far date got stored (a request from before the
request models were bounded, a replayed event), moving the deadline there is refused, so a
supervisor cannot approve 9999-12-31."""

from __future__ import annotations

import datetime as dt

import pytest

from services.tracker.domain.model import TransitionError
from tests.unit.tracker.test_ladder import commitment

TODAY = dt.date(2026, 4, 1)


@pytest.mark.parametrize("far", [dt.date.max, dt.date(2036, 12, 31)])
def test_a_deadline_more_than_ten_years_out_is_refused_even_with_approval(far):
    with pytest.raises(TransitionError, match="10 years"):
        commitment().extend(far, TODAY)  # no limit: the supervisor's approval


def test_a_deadline_within_ten_years_still_moves():
    assert commitment().extend(dt.date(2035, 1, 31), TODAY).due == dt.date(2035, 1, 31)
