"""Who a kept commitment was kept by (contract §5 "Closing the loop"): "panel" when the panel's
confirmation made it kept, "no_answer" when silence past the confirmation window did; the live
transitions and the timeline's replay agree; the register counts the two apart; a dispute must
say what is not done."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.policy import Policy
from services.tracker.domain import Commitment, Contacts, TransitionError
from services.tracker.domain.counting import HOW_WE_COUNT, Row, rates
from services.tracker.domain.entry_effects import apply_entry
from services.tracker.domain.ladder import settle, time_transition
from services.tracker.web.bodies import DISPUTE_NEEDS_COMMENT, VerdictIn

DAY = dt.date(2026, 3, 10)
POLICY = Policy()
C = Commitment(id="c", status="open", agreed_on=DAY, due=DAY + dt.timedelta(days=300),
               original_due=DAY + dt.timedelta(days=300), update_every_days=30, ladder_since=DAY,
               contacts=Contacts("o@example.org", "s@example.org", "l@example.org", "b@example.org"))
ENTRY = {"update": "updated", "complete": "completed", "confirm": "confirmed", "dispute": "disputed",
         "reopen": "reopened"}


def _live(c: Commitment, step: str, today: dt.date) -> tuple[Commitment, str, dict]:
    """One step as the live commands and the scan take it: the new state and the entry they record."""
    match step:
        case "update":
            return c.post_update(today), "updated", {"note": "n"}
        case "complete":
            return c.complete(today), "completed", {"summary": "s"}
        case "confirm":
            return c.confirm(today), "confirmed", {"comment": ""}
        case "dispute":
            return c.dispute(today), "disputed", {"comment": "the posters are not up"}
        case "reopen":
            return c.reopen(today, POLICY.reopen_window_weeks * 7), "reopened", {"comment": "stopped"}
    # "silence": the scan on the day the confirmation window ends
    if c.status != "done" or c.done_on is None:
        raise TransitionError("silence makes only a done promise kept")
    later = c.done_on + dt.timedelta(days=POLICY.confirm_within_days + 1)
    assert time_transition(c, later, POLICY) == "kept"
    kept = settle(c, "kept", POLICY)
    return kept, "kept", {"reason": "no answer", "kept_on": kept.kept_on.isoformat()}


@given(st.lists(st.sampled_from(["update", "complete", "confirm", "dispute", "reopen", "silence"]), max_size=25))
def test_kept_by_is_panel_iff_the_last_way_into_kept_was_a_confirmation(steps):
    live = replayed = C
    last_way_in = None
    for n, step in enumerate(steps):
        today = DAY + dt.timedelta(days=n)
        try:
            new, kind, entry = _live(live, step, today)
        except TransitionError:
            continue
        at = dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)
        applied = apply_entry(replayed, kind, entry, at, today, POLICY)
        assert applied is not None
        live, replayed = new, applied.commitment
        if live.status == "kept" and kind in ("confirmed", "kept"):
            last_way_in = kind
        assert live == replayed  # replay rebuilds kept_by from the timeline alone
        assert (live.kept_by == "panel") == (live.status == "kept" and last_way_in == "confirmed")
        assert (live.kept_by == "no_answer") == (live.status == "kept" and last_way_in == "kept")
        assert live.kept_by is None or live.status == "kept"


def test_reopened_then_kept_again_takes_the_new_way_in():
    kept = C.complete(DAY).confirm(DAY)
    assert kept.kept_by == "panel"
    again = kept.reopen(DAY + dt.timedelta(days=5), 7 * POLICY.reopen_window_weeks)
    assert again.kept_by is None and again.status == "in_progress"
    silent = settle(again.complete(DAY + dt.timedelta(days=6)), "kept", POLICY)
    assert (silent.status, silent.kept_by) == ("kept", "no_answer")


def _row(n: int, status: str, kept_by: str | None) -> Row:
    return Row(recommendation_id=f"r{n}", panel="p", area="a", raised_on=DAY, decision="agreed", decline_code=None,
               answered_on=DAY, respond_by=None, commitment_id=f"c{n}", status=status, original_due=DAY, due=DAY,
               done_on=DAY, kept_by=kept_by)


def test_the_register_counts_kept_by_the_panel_apart_from_kept_with_no_answer():
    rows = [_row(1, "kept", "panel"), _row(2, "kept", "no_answer"), _row(3, "kept", "no_answer"),
            _row(4, "disputed", None), _row(5, "in_progress", None)]
    r = rates(rows, DAY)
    assert (r.kept.part, r.kept.whole) == (3, 4)  # "Kept" still counts both kinds
    assert (r.kept_confirmed.part, r.kept_confirmed.whole) == (1, 4)
    assert (r.kept_unchecked.part, r.kept_unchecked.whole) == (2, 4)
    symbols = {f.name: f.symbols for f in HOW_WE_COUNT}
    assert symbols["Kept, confirmed by the panel"] == ("count(status = kept and kept_by = panel) ÷ "
                                                       "(kept + disputed + lapsed)")
    assert "kept_by ≠ panel" in symbols["Kept, not checked by the panel"]
    assert "both kinds" in next(f.words for f in HOW_WE_COUNT if f.name == "Kept")


@pytest.mark.parametrize("comment", ["", "   ", "\n\t", "\u200b", "\u2060\ufeff", "\u2800", "..."])
def test_a_dispute_that_says_nothing_is_refused_naming_the_comment(comment):
    with pytest.raises(ValidationError) as refused:
        VerdictIn(verdict="disputed", comment=comment, access_code="code")
    (error,) = refused.value.errors()
    assert error["loc"] == ("comment",) and DISPUTE_NEEDS_COMMENT in error["msg"]


def test_a_confirmation_may_say_nothing_and_a_dispute_that_says_what_is_missing_passes():
    assert VerdictIn(verdict="confirmed", access_code="code").comment == ""
    assert VerdictIn(verdict="disputed", comment=" posters not up ", access_code="code").comment == "posters not up"
