"""The pure rule of when the trust pulse's shown figures move (`domain/pulse.py`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schemas.models import PULSE_MIN_ANSWERS
from services.tracker.domain.pulse import moves


def _shown_after_each(answers: int, shown: int = 0) -> list[int]:
    """Answers come one by one from `shown`; how many the shown figures cover after each."""
    out = []
    for n in range(shown + 1, answers + 1):
        if moves(n, shown):
            shown = n
        out.append(shown)
    return out


def test_a_period_moves_at_the_fifth_tenth_and_fifteenth_answer():
    assert _shown_after_each(16) == [0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15, 15]


@given(start=st.integers(0, 200), more=st.integers(0, 200))
def test_the_figures_move_only_in_steps_of_five_and_never_lag_five(start, more):
    """From any shown copy (one an older version left at, say, 13): each move covers at least five new
    answers, and the copy never lags the running count by five or more."""
    covered = _shown_after_each(start + more, start)
    steps = [b - a for a, b in zip([start, *covered], covered, strict=False) if b != a]
    assert all(step >= PULSE_MIN_ANSWERS for step in steps)
    assert all(0 <= n - c < PULSE_MIN_ANSWERS for n, c in zip(range(start + 1, start + more + 1), covered, strict=True))
