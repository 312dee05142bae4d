"""The trust pulse (usecases/pulse.py) and the panel's access code (usecases/access.py), on the
in-memory storage: counts per period whose shown copy moves only in steps, and wrong codes limited
per client, a lock giving the panel's awaited checks one more day once a day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.models import PULSE_MIN_ANSWERS
from services.tracker.usecases import actions
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases.access import WINDOW, AccessCodes
from services.tracker.usecases.errors import NotFound, TooManyAttempts, WrongCode
from services.tracker.usecases.throttle import Throttle
from tests.support.events import panel_code
from tests.unit.tracker.usecases.conftest import SLUG, UID, World
from tests.unit.tracker.usecases.test_actions import DONE

ANSWER = st.tuples(st.integers(1, 5), st.sampled_from(pulse_uc.KEPT))


@settings(max_examples=30, deadline=None)
@given(st.lists(ANSWER, min_size=1, max_size=17))
def test_the_shown_counts_move_only_in_steps_and_are_the_first_answers_of_the_step(answers):
    world = World()
    for n, (trust, kept) in enumerate(answers, start=1):
        period = pulse_uc.record(world.storage, world.clock, SLUG, trust, kept)
        counted = n - n % PULSE_MIN_ANSWERS
        assert (period.answers, period.counted) == (n, counted)
        assert sum(period.trust) == sum(period.kept.values()) == counted
        shown = answers[:counted]
        assert period.trust == tuple(sum(1 for t, _ in shown if t == v) for v in pulse_uc.TRUST)
        [event] = world.storage.events_of("pulse.recorded")[-1:]
        assert event["data"]["answers"] == n
        assert ("trust" in event["data"] and event["data"]["trust"] is not None) == (counted > 0)


def test_each_period_counts_on_its_own(world):
    for _ in range(PULSE_MIN_ANSWERS):
        pulse_uc.record(world.storage, world.clock, SLUG, 4, "yes")
    world.clock.set_day(dt.date(2026, 12, 1), 12)
    december = pulse_uc.record(world.storage, world.clock, SLUG, 1, "no")
    assert (december.period, december.answers, december.counted) == ("2026-12", 1, 0)
    assert world.storage.pulse[(SLUG, "2026-11")]["answers"] == PULSE_MIN_ANSWERS


def test_an_answer_for_an_unknown_panel_is_not_counted(world):
    with pytest.raises(NotFound):
        pulse_uc.record(world.storage, world.clock, "no-such-panel", 3, "yes")
    assert not world.storage.pulse and not world.storage.events_of("pulse.recorded")


def test_the_right_code_passes_for_a_commitment_a_recommendation_and_the_panel(world):
    event = world.agree()
    codes = AccessCodes(world.storage, world.clock)
    codes.check(event["data"]["commitment"]["id"], panel_code(UID), "client-a")
    codes.check_recommendation(event["data"]["recommendation"]["id"], panel_code(UID), "client-a")
    codes.check_panel(SLUG, panel_code(UID), "client-a")
    assert not world.storage.access_failures
    for check, row_id in ((codes.check, "nope"), (codes.check_recommendation, "nope"), (codes.check_panel, "nope")):
        with pytest.raises(NotFound):
            check(row_id, panel_code(UID), "client-a")


def test_wrong_codes_lock_out_only_that_client_for_the_window(world):
    codes = AccessCodes(world.storage, world.clock, allowed=3)
    for _ in range(3):
        with pytest.raises(WrongCode):
            codes.check_panel(SLUG, "a wrong code", "client-a")
    with pytest.raises(TooManyAttempts) as locked:
        codes.check_panel(SLUG, panel_code(UID), "client-a")  # even the right code waits
    assert locked.value.retry_after == WINDOW.total_seconds()
    codes.check_panel(SLUG, panel_code(UID), "client-b")  # another client is not locked out
    world.clock.advance(WINDOW)
    codes.check_panel(SLUG, panel_code(UID), "client-a")
    assert ("panel-" + UID, "client-a") not in world.storage.access_failures  # forgotten once past


def test_a_lock_gives_the_panels_done_commitments_one_more_day_once_a_day(world):
    cid = world.commitment()
    world.run(cid, actions.post_update, **DONE)
    codes = AccessCodes(world.storage, world.clock, allowed=2)
    for client in ("client-a", "client-b"):  # two clients locked out the same day
        for _ in range(2):
            with pytest.raises(WrongCode):
                codes.check(cid, "wrong", client)
    assert world.row(cid).confirm_extra_days == 1
    world.clock.advance(WINDOW + dt.timedelta(days=1))
    for _ in range(2):
        with pytest.raises(WrongCode):
            codes.check(cid, "wrong", "client-a")
    assert world.row(cid).confirm_extra_days == 2


def test_the_throttle_lets_a_client_through_up_to_its_limit_then_says_how_long_to_wait(world):
    throttle = Throttle(world.storage, world.clock)
    assert [throttle.hit("reply", "client-a", 3, 60) for _ in range(3)] == [None, None, None]
    wait = throttle.hit("reply", "client-a", 3, 60)
    assert wait is not None and 0 < wait <= 120
    assert throttle.hit("reply", "client-b", 3, 60) is None  # another client has its own count
    assert throttle.hit("verdict", "client-a", 3, 60) is None  # and another rule
    world.clock.advance(dt.timedelta(seconds=wait))
    assert throttle.hit("reply", "client-a", 3, 60) is None


def test_after_a_replay_the_next_step_waits_for_five_answers_whose_values_it_holds(world):
    """A replay restores a month with 7 answers and the counts of the first 5 (the last 2 were never
    published): the next step must come after 5 new answers, not 3, or it would move by fewer than 5."""
    pulse_uc.record(world.storage, world.clock, SLUG, 3, "yes")  # creates the month's row
    row = world.storage.pulse[(SLUG, pulse_uc.period_of(world.clock.today()))]
    restored = {"trust_1": 0, "trust_2": 0, "trust_3": 5, "trust_4": 0, "trust_5": 0,
                "kept_yes": 5, "kept_no": 0, "kept_not_sure": 0}
    row.update(answers=7, shown_answers=5, **restored, **{f"shown_{k}": v for k, v in restored.items()})
    for n in range(1, 5):
        period = pulse_uc.record(world.storage, world.clock, SLUG, 1, "no")
        assert (period.answers, period.counted) == (7 + n, 5), f"the shown counts moved after {n} new answers"
    period = pulse_uc.record(world.storage, world.clock, SLUG, 1, "no")
    assert (period.answers, period.counted) == (12, 10)
    assert sum(period.trust) == sum(period.kept.values()) == 10
