"""Yes in principle (contract §5) still owes an answer: its response clock runs to `decide_by`, and past it
the response_due ladder runs as for a pending recommendation, each step once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracker.adapters import convert
from services.tracker.domain import Contacts, Policy
from services.tracker.domain.counting import Row, rates
from services.tracker.domain.ladder import decide_response, next_response_on
from services.tracker.domain.model import PendingRecommendation

P = Policy()
WHO = Contacts("lead@example.org", "sup@example.org", "senior@example.org", "board@example.org")
SAID = dt.date(2026, 3, 6)


def in_principle(decide_by: dt.date, **kw) -> PendingRecommendation:
    return PendingRecommendation(id="r1", respond_by=decide_by, ladder_since=SAID, contacts=WHO, in_principle=True,
                                 **kw)


def test_past_decide_by_the_supervisor_is_told_then_the_senior_lead():
    rec = in_principle(dt.date(2026, 5, 1))
    assert decide_response(rec, dt.date(2026, 5, 1), P) == []
    (first,) = decide_response(rec, dt.date(2026, 5, 2), P)
    assert (first.kind, first.level, first.recipients) == ("response_due", 1, ("sup@example.org",))
    assert "yes in principle" in first.reason and "01 May 2026" in first.reason
    assert decide_response(rec.with_sent(first.key), dt.date(2026, 5, 3), P) == []
    (second,) = decide_response(rec.with_sent(first.key), dt.date(2026, 5, 16), P)
    assert second.level == 2 and second.recipients == ("sup@example.org", "senior@example.org")


def test_its_clock_has_its_own_keys_after_a_pending_one_already_ran():
    """The first deadline's notice went out, then police said yes in principle: past decide_by the
    supervisor is told again, once."""
    pending = PendingRecommendation(id="r1", respond_by=dt.date(2026, 4, 1), ladder_since=SAID, contacts=WHO)
    (was,) = decide_response(pending, dt.date(2026, 4, 2), P)
    rec = in_principle(dt.date(2026, 5, 1), sent_keys=frozenset({was.key}))
    (first,) = decide_response(rec, dt.date(2026, 5, 2), P)
    assert first.key != was.key and first.level == 1


def test_agreed_or_declined_stops_the_clock():
    assert decide_response(in_principle(dt.date(2026, 5, 1), decided=True), dt.date(2026, 6, 1), P) == []


def test_the_row_runs_its_clock_to_decide_by_not_respond_by():
    row = SimpleNamespace(id="r1", decision="in_principle", respond_by=dt.date(2026, 4, 1),
                          decide_by=dt.date(2026, 5, 1), ladder_since=SAID, response_round=1)
    panel = SimpleNamespace(police_lead={"email": "lead@example.org"},
                            escalation={"supervisor": "sup@example.org", "senior_lead": "senior@example.org",
                                        "board": "board@example.org"})
    rec = convert.pending(row, panel)
    assert (rec.respond_by, rec.decided, rec.in_principle) == (dt.date(2026, 5, 1), False, True)
    agreed = convert.pending(SimpleNamespace(**{**row.__dict__, "decision": "agreed"}), panel)
    assert agreed.decided


@settings(max_examples=300, deadline=None)
@given(wait=st.integers(min_value=0, max_value=120), gaps=st.lists(st.integers(1, 9), min_size=1, max_size=40),
       first_deadline_told=st.booleans())
def test_scanned_on_any_days_each_step_is_told_once_and_never_before_decide_by(wait, gaps, first_deadline_told):
    decide_by = SAID + dt.timedelta(days=wait)
    sent = frozenset({"response_due:1"}) if first_deadline_told else frozenset()
    rec, day, told = in_principle(decide_by, sent_keys=sent), SAID, []
    for gap in gaps:
        day += dt.timedelta(days=gap)
        for n in decide_response(rec, day, P):
            told.append(n)
            rec = rec.with_sent(n.key)
        later = next_response_on(rec, day, P)
        assert later is None or later > day
    keys = [n.key for n in told]
    assert len(keys) == len(set(keys))
    assert all(n.step_on > decide_by and n.step_on <= day for n in told)
    assert [n.recipients for n in told if n.level == 1] in ([], [("sup@example.org",)])
    if day > decide_by:
        assert any(n.level >= 1 for n in told)


def _row(decision: str, **kw) -> Row:
    return Row(recommendation_id=decision, panel="p", area="a", raised_on=SAID, decision=decision, decline_code=None,
               answered_on=kw.pop("answered_on", None), respond_by=kw.pop("respond_by", None), **kw)


def test_the_register_counts_it_apart_and_never_as_an_answer():
    today = dt.date(2026, 6, 1)
    rows = [_row("agreed", answered_on=SAID), _row("declined", answered_on=SAID),
            _row("in_principle", respond_by=dt.date(2026, 5, 1), decide_by=dt.date(2026, 5, 1)),
            _row("in_principle", respond_by=dt.date(2026, 7, 1), decide_by=dt.date(2026, 7, 1)), _row("pending")]
    r = rates(rows, today)
    assert (r.in_principle.part, r.in_principle.whole) == (2, 4)
    assert (r.acceptance.part, r.acceptance.whole) == (1, 2)
    assert [x.answered_on_time(today) for x in rows[2:4]] == [False, None]


def _stored(respond_by: dt.date, decide_by: dt.date) -> SimpleNamespace:
    """A tracker_recommendations row joined to no commitment, as the register reads it."""
    return SimpleNamespace(id="r1", panel="p", raised_on=dt.date(2026, 9, 1), decision="in_principle",
                           decline_code=None, decided_on=None, agreed_on=None, respond_by=respond_by,
                           decide_by=decide_by, commitment_id=None)


def test_a_late_recommendation_said_in_principle_stays_late_on_the_register():
    from services.tracker.adapters.registerrows import _row

    late = _row(_stored(dt.date(2026, 10, 1), dt.date(2027, 6, 1)), {}, dt.date(2026, 10, 20))
    assert late.respond_by == dt.date(2026, 10, 1) and late.decide_by == dt.date(2027, 6, 1)
    assert late.answered_on_time(dt.date(2026, 10, 20)) is False  # "in principle" bought no time
    inside = _row(_stored(dt.date(2026, 11, 1), dt.date(2026, 10, 25)), {}, dt.date(2026, 10, 20))
    assert inside.respond_by == dt.date(2026, 10, 25) and inside.answered_on_time(dt.date(2026, 10, 20)) is None
