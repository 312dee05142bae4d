"""Off-track declared early, the public next-update date, and kept promises re-checked (issue 17,
parts 3 and 4), as pure functions over plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.tracker.domain import (
    Commitment,
    Contacts,
    Policy,
    ReopenWindowClosed,
    TransitionError,
    decide,
    decide_early_warning,
    decide_reopen,
    reopen_window,
    settle,
    still_working_asked,
    time_transition,
    told_level,
)
from services.tracker.web.bodies import ReopenIn, UpdateIn

P = Policy()
WHO = Contacts("owner@example.org", "sup@example.org", "senior@example.org", "board@example.org")
AGREED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 6, 1)


def commitment(**kw) -> Commitment:
    fields = dict(id="c1", status="in_progress", agreed_on=AGREED, due=DUE, original_due=DUE, update_every_days=30,
                  ladder_since=AGREED, contacts=WHO)
    return Commitment(**{**fields, **kw})


def kept(on: dt.date = dt.date(2026, 5, 1)) -> Commitment:
    return commitment().complete(on - dt.timedelta(days=3)).confirm(on)


# ---------------------------------------------------------------- next_update_by


def test_next_update_by_runs_from_the_last_update_or_the_agreement():
    c = commitment(status="open")
    assert c.next_update_by() == AGREED + dt.timedelta(days=30)
    c = c.post_update(dt.date(2026, 3, 20))
    assert c.next_update_by() == dt.date(2026, 4, 19)


def test_finished_commitments_need_no_more_updates():
    for status in ("done", "kept", "withdrawn", "disputed", "lapsed"):
        assert commitment(status=status).next_update_by() is None


@settings(max_examples=300)
@given(every=st.sampled_from([7, 14, 30, 60]), updated=st.one_of(st.none(), st.integers(0, 60)),
       reopened=st.one_of(st.none(), st.integers(0, 60)), due_in=st.integers(1, 200))
def test_the_first_silence_nudge_falls_on_the_public_next_update_by_date(every, updated, reopened, due_in):
    """The date the page and the API show is the day the silence ladder first nudges: never another day."""
    last = AGREED + dt.timedelta(days=updated) if updated is not None else None
    again = AGREED + dt.timedelta(days=reopened) if reopened is not None else None
    c = commitment(update_every_days=every, last_update_on=last, reopened_on=again, update_count=1,
                   due=AGREED + dt.timedelta(days=due_in), ladder_since=AGREED)
    by = c.next_update_by()
    day, silent = AGREED, []
    while day <= c.due:
        for n in decide(c, day, P):
            c = c.with_sent(n.key)
            if n.kind == "silent" and n.level == 0:
                silent.append(n.step_on)
        day += dt.timedelta(days=1)
    assert silent == ([by] if by <= c.due else [])


# ---------------------------------------------------------------- track and early warning


def test_a_significant_delay_said_before_the_due_date_tells_the_supervisor_crediting_the_warning():
    before = commitment()
    after = before.post_update(dt.date(2026, 5, 1), "significant_delay")
    [n] = decide_early_warning(after, "significant_delay", "Inspector, response team", "The trainer is off sick.",
                               dt.date(2026, 5, 1))
    assert (n.kind, n.level, n.key) == ("early_warning", 1, "early_warning:1:v1")
    assert n.recipients == ("owner@example.org", "sup@example.org")
    assert n.reason.startswith("Inspector, response team told the panel early that this will be late, and why: "
                               "The trainer is off sick.")
    assert "31 days before" in n.reason


def test_the_early_warning_is_sent_once_per_deadline_version():
    before = commitment()
    after = before.post_update(dt.date(2026, 5, 1), "significant_delay")
    [n] = decide_early_warning(after, "significant_delay", "Owner", "why", dt.date(2026, 5, 1))
    told = after.with_sent(n.key)
    again = told.post_update(dt.date(2026, 5, 8), "significant_delay")
    assert decide_early_warning(again, "significant_delay", "Owner", "why", dt.date(2026, 5, 8)) == []
    moved = again.extend(dt.date(2026, 7, 1), dt.date(2026, 5, 9))
    quiet = moved.post_update(dt.date(2026, 6, 1))  # still "will be late", but this update does not say it
    assert quiet.track == "significant_delay" and decide_early_warning(quiet, None, "Owner", "", quiet.due) == []
    later = quiet.post_update(dt.date(2026, 6, 10), "significant_delay")
    assert [n.key for n in decide_early_warning(later, "significant_delay", "Owner", "why", dt.date(2026, 6, 10))] == [
        "early_warning:1:v2"]


@pytest.mark.parametrize("track, day", [("minor_delay", dt.date(2026, 5, 1)), ("on_track", dt.date(2026, 5, 1)),
                                        ("significant_delay", DUE), ("significant_delay", dt.date(2026, 6, 5))])
def test_no_early_warning_for_a_small_delay_or_on_or_after_the_due_date(track, day):
    assert decide_early_warning(commitment().post_update(day, track), track, "Owner", "why", day) == []


def test_an_early_warning_does_not_count_as_an_escalation():
    """Warning early must not later read as "you were told it was late" (decide_change, back_on_track)."""
    c = commitment().with_sent("early_warning:1:v1")
    assert told_level(c) == 0


def test_an_update_without_a_track_keeps_the_last_one_and_done_clears_it():
    c = commitment().post_update(dt.date(2026, 4, 1), "minor_delay").post_update(dt.date(2026, 4, 8))
    assert c.track == "minor_delay"
    assert c.complete(dt.date(2026, 4, 9)).track is None


def test_a_delay_needs_a_reason_and_the_error_names_the_field():
    with pytest.raises(ValidationError) as caught:
        UpdateIn(note="Slower than hoped", track="significant_delay")
    [err] = caught.value.errors()
    assert err["loc"] == ("delay_reason",) and "delay_reason" in err["msg"]
    assert UpdateIn(note="x", track="minor_delay", delay_reason="Staff away").delay_reason == "Staff away"
    assert UpdateIn(note="x", track="on_track", delay_reason="ignored").delay_reason is None
    with pytest.raises(ValidationError):
        UpdateIn(note="x", track="sideways")


# ---------------------------------------------------------------- kept promises re-checked


def test_the_panel_is_asked_still_working_from_the_sustain_check_until_the_window_closes():
    c = kept(dt.date(2026, 5, 1))
    start, end = reopen_window(c, P)
    assert (start, end) == (dt.date(2026, 5, 1) + dt.timedelta(weeks=12), dt.date(2026, 5, 1) + dt.timedelta(weeks=26))
    assert not still_working_asked(c, start - dt.timedelta(days=1), P)
    assert still_working_asked(c, start, P) and still_working_asked(c, end, P)
    assert not still_working_asked(c, end + dt.timedelta(days=1), P)
    assert not still_working_asked(commitment(), start, P)


def test_reopening_inside_the_window_restarts_the_ladder_from_its_first_step():
    c = kept(dt.date(2026, 5, 1))
    today = dt.date(2026, 9, 1)
    after = c.reopen(today, P.reopen_window_weeks * 7)
    assert (after.status, after.reopenings, after.due_version, after.reopened_on) == ("in_progress", 1, 2, today)
    assert after.due == today + dt.timedelta(days=30) and after.done_on is None
    assert after.next_update_by() == after.due
    n = decide_reopen(c, after, "Stops are not explained again.", today)
    assert (n.kind, n.level, n.key, n.recipients) == ("reopened", 1, "reopened:1:r1", ("owner@example.org",
                                                                                      "sup@example.org"))
    after = after.with_sent(n.key)
    assert decide(after, today, P) == []  # nothing else at once: the ladder starts again, not at its top
    first_late = [x for x in decide(after, after.due + dt.timedelta(days=1), P) if x.kind == "overdue"]
    assert [x.key for x in first_late] == ["overdue:1:v2"]
    assert time_transition(after, after.due + dt.timedelta(days=27), P) is None


def test_reopening_outside_the_window_or_anything_not_kept_is_refused_with_what_to_do():
    c = kept(dt.date(2026, 5, 1))
    with pytest.raises(ReopenWindowClosed, match="ended on 30 October 2026; ask your youth worker"):
        c.reopen(dt.date(2026, 10, 31), P.reopen_window_weeks * 7)
    with pytest.raises(TransitionError, match="only a kept promise can be reopened"):
        commitment().reopen(dt.date(2026, 5, 1), 182)


def test_kept_by_silence_counts_from_the_day_silence_became_yes():
    c = commitment().complete(dt.date(2026, 5, 1))
    day = dt.date(2026, 7, 1)
    assert time_transition(c, day, P) == "kept"
    assert settle(c, "kept", P).kept_on == dt.date(2026, 5, 1) + dt.timedelta(days=P.confirm_within_days)


@settings(max_examples=200)
@given(kept_day=st.integers(0, 300), reopen_day=st.integers(0, 500), window=st.integers(1, 52))
def test_a_reopening_is_allowed_exactly_within_the_window(kept_day, reopen_day, window):
    k = AGREED + dt.timedelta(days=kept_day)
    today = AGREED + dt.timedelta(days=max(kept_day, reopen_day))
    c = replace(kept(k), kept_on=k)
    inside = today <= k + dt.timedelta(weeks=window)
    try:
        after = c.reopen(today, window * 7)
    except ReopenWindowClosed:
        assert not inside
    else:
        assert inside and after.status == "in_progress" and after.reopenings == 1


def test_the_policy_refuses_a_window_shorter_than_the_sustain_check():
    with pytest.raises(ValidationError, match="reopen_window_weeks must be at least sustain_check_weeks"):
        Policy(sustain_check_weeks=20, reopen_window_weeks=10)
    assert (P.sustain_check_weeks, P.reopen_window_weeks) == (12, 26)


def test_a_reopening_needs_what_is_wrong_and_the_code():
    with pytest.raises(ValidationError) as caught:
        ReopenIn(comment="", access_code="x")
    assert caught.value.errors()[0]["loc"] == ("comment",)
