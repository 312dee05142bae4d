"""The escalation ladder of contract §4, as pure functions over plain data."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracker.domain import Commitment, Contacts, Policy, decide, next_action_on, time_transition
from services.tracker.domain.ladder import decide_response
from services.tracker.domain.model import PendingRecommendation

P = Policy()
WHO = Contacts("owner@example.org", "sup@example.org", "senior@example.org", "board@example.org")
AGREED = dt.date(2026, 3, 2)


def commitment(due=dt.date(2026, 6, 1), seen=AGREED, **kw) -> Commitment:
    return Commitment(id="c1", status="open", agreed_on=AGREED, due=due, original_due=due,
                      update_every_days=30, ladder_since=seen, contacts=WHO, **kw)


def run(c: Commitment, days: list[dt.date], policy: Policy = P) -> tuple[Commitment, list]:
    """Scan on each day, as the scheduler does, recording what was sent."""
    sent = []
    for day in days:
        for n in decide(c, day, policy):
            sent.append(n)
            c = c.with_sent(n.key)
        status = time_transition(c, day, policy)
        if status:
            c = Commitment(**{**c.__dict__, "status": status})
    return c, sent


def daily(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def test_a_commitment_scanned_daily_climbs_the_whole_ladder_once():
    c = commitment()
    c, sent = run(c, daily(AGREED, dt.date(2026, 7, 15)))
    assert [(n.kind, n.level, n.step_on) for n in sent] == [
        ("silent", 0, dt.date(2026, 4, 1)),
        ("silent", 1, dt.date(2026, 5, 1)),
        ("reminder", 0, dt.date(2026, 5, 18)),
        ("reminder", 0, dt.date(2026, 5, 29)),
        ("overdue", 1, dt.date(2026, 6, 2)),
        ("escalation", 2, dt.date(2026, 6, 15)),
        ("escalation", 3, dt.date(2026, 6, 29)),
    ]
    assert c.status == "lapsed"
    assert all(not n.late for n in sent)
    assert sent[0].recipients == ("owner@example.org",)
    assert sent[4].recipients == ("owner@example.org", "sup@example.org")
    assert sent[6].recipients == WHO.emails(("owner", "supervisor", "senior_lead", "board"))


def test_reminders_go_to_the_owner_alone():
    _, sent = run(commitment(), daily(AGREED, dt.date(2026, 6, 1)))
    for n in sent:
        if n.kind == "reminder" or (n.kind == "silent" and n.level == 0):
            assert n.recipients == ("owner@example.org",)


def test_imported_45_days_late_gives_one_notice_at_the_highest_level():
    today = dt.date(2026, 7, 16)
    c = commitment(due=today - dt.timedelta(days=45), seen=today)
    notices = decide(c, today, P)
    assert len(notices) == 1
    (n,) = notices
    assert (n.kind, n.level, n.days_overdue) == ("escalation", 3, 45)
    assert "45 days overdue" in n.reason
    assert not n.late


def test_imported_one_day_late_gives_one_overdue_notice():
    today = dt.date(2026, 7, 16)
    (n,) = decide(commitment(due=today - dt.timedelta(days=1), seen=today), today, P)
    assert (n.kind, n.level, n.days_overdue) == ("overdue", 1, 1)


def test_after_downtime_each_missed_step_is_sent_and_marked_late():
    c = commitment()
    c, before = run(c, daily(AGREED, dt.date(2026, 6, 1)))
    notices = decide(c, dt.date(2026, 6, 20), P)  # down from 2 June to 20 June
    assert [(n.kind, n.level, n.late) for n in notices] == [("overdue", 1, True), ("escalation", 2, True)]


def test_an_extension_starts_a_new_ladder():
    c, sent = run(commitment(), daily(AGREED, dt.date(2026, 6, 5)))
    assert ("overdue", 1) in [(n.kind, n.level) for n in sent]
    c = c.extend(dt.date(2026, 8, 1), dt.date(2026, 6, 5))
    c, after = run(c, daily(dt.date(2026, 6, 6), dt.date(2026, 8, 3)))
    kinds = [(n.kind, n.level, n.key.split(":")[2]) for n in after if n.kind != "silent"]
    assert kinds == [("reminder", 0, "v2"), ("reminder", 0, "v2"), ("overdue", 1, "v2")]


def test_done_stops_the_ladder_and_back_on_track_tells_everyone_who_was_told():
    c, sent = run(commitment(), daily(AGREED, dt.date(2026, 6, 16)))
    assert max(n.level for n in sent) == 2
    c = c.complete(dt.date(2026, 6, 17))
    (n,) = decide(c, dt.date(2026, 6, 17), P)
    assert n.kind == "back_on_track"
    assert n.recipients == ("owner@example.org", "sup@example.org", "senior@example.org")
    assert decide(c.with_sent(n.key), dt.date(2026, 7, 30), P) == []


def test_done_without_answer_becomes_kept_after_the_confirmation_window():
    c = commitment().complete(dt.date(2026, 5, 1))
    assert time_transition(c, dt.date(2026, 5, 28), P) is None
    assert time_transition(c, dt.date(2026, 5, 29), P) == "kept"
    assert next_action_on(c, dt.date(2026, 5, 2), P) == dt.date(2026, 5, 29)


def test_a_dispute_escalates_to_level_two():
    c = commitment().complete(dt.date(2026, 5, 1)).dispute(dt.date(2026, 5, 3))
    notices = decide(c, dt.date(2026, 5, 3), P)
    assert [(n.kind, n.level) for n in notices] == [("dispute", 2)]


def test_six_months_after_agreement_still_open_asks_for_a_review():
    c = commitment(due=dt.date(2026, 12, 31))
    c, sent = run(c, daily(AGREED, dt.date(2026, 9, 3)))
    reviews = [n for n in sent if n.kind == "review"]
    assert [(n.step_on, n.recipients) for n in reviews] == [
        (dt.date(2026, 9, 2), ("senior@example.org", "board@example.org"))]


def test_a_progress_update_answers_silence():
    c = commitment(due=dt.date(2026, 12, 31))
    c, sent = run(c, daily(AGREED, dt.date(2026, 4, 1)))
    assert [n.kind for n in sent] == ["silent"]
    c = c.post_update(dt.date(2026, 4, 2))
    assert decide(c, dt.date(2026, 4, 20), P) == []
    assert next_action_on(c, dt.date(2026, 4, 20), P) == dt.date(2026, 5, 2)


def test_working_days_skip_weekends_and_bank_holidays():
    policy = Policy(day_count="working")
    # Thursday 24 Dec 2026 + 2 working days: Christmas (Fri) and Boxing Day substitute (Mon 28) are holidays.
    assert policy.add_days(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 30)


def test_pending_recommendation_response_clock():
    rec = PendingRecommendation(id="r1", respond_by=dt.date(2026, 5, 1), ladder_since=dt.date(2026, 3, 6),
                                contacts=WHO)
    assert decide_response(rec, dt.date(2026, 5, 1), P) == []
    (first,) = decide_response(rec, dt.date(2026, 5, 2), P)
    assert (first.kind, first.level, first.recipients) == ("response_due", 1, ("sup@example.org",))
    (second,) = decide_response(rec.with_sent(first.key), dt.date(2026, 5, 16), P)
    assert second.level == 2 and second.recipients == ("sup@example.org", "senior@example.org")


# Property: whatever happens, each key is decided at most once.

ACTIONS = st.lists(
    st.tuples(st.integers(min_value=1, max_value=20),
              st.sampled_from(["scan", "update", "extend", "complete", "confirm", "dispute", "skip"])),
    min_size=1, max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(actions=ACTIONS, due_in=st.integers(min_value=-60, max_value=120), late_start=st.integers(0, 90))
def test_each_notice_key_is_decided_at_most_once(actions, due_in, late_start):
    seen_on = AGREED + dt.timedelta(days=late_start)
    c = commitment(due=seen_on + dt.timedelta(days=due_in), seen=seen_on)
    day, keys = seen_on, []
    for step, action in actions:
        day += dt.timedelta(days=step)
        try:
            match action:
                case "update":
                    c = c.post_update(day)
                case "extend":
                    c = c.extend(day + dt.timedelta(days=30), day)
                case "complete":
                    c = c.complete(day)
                case "confirm":
                    c = c.confirm(day)
                case "dispute":
                    c = c.dispute(day)
        except ValueError:
            pass  # a transition its status does not allow: refused, state unchanged
        for n in decide(c, day, P):
            keys.append(n.key)
            c = c.with_sent(n.key)
        status = time_transition(c, day, P)
        if status:
            c = Commitment(**{**c.__dict__, "status": status})
    assert len(keys) == len(set(keys))


@settings(max_examples=200, deadline=None)
@given(days_late=st.integers(min_value=1, max_value=400))
def test_first_seen_late_always_gives_exactly_one_notice(days_late):
    today = dt.date(2026, 11, 23)
    c = commitment(due=today - dt.timedelta(days=days_late), seen=today)
    c = Commitment(**{**c.__dict__, "agreed_on": min(c.agreed_on, c.due)})
    notices = [n for n in decide(c, today, P) if n.kind != "review"]
    assert len(notices) == 1
    expected = 3 if days_late >= 28 else 2 if days_late >= 14 else 1
    assert notices[0].level == expected


def test_the_scan_comes_back_for_the_six_month_review_on_its_day():
    """Found by the time machine: the review step was missing from next_action_on, so a
    commitment with nothing else due before its deadline had its review decided late."""
    c = commitment(due=dt.date(2027, 6, 1), last_update_on=dt.date(2026, 8, 20), update_count=1)
    c = c.with_sent("silent:0:u0", "silent:1:u0")
    review_on = dt.date(2026, 9, 2)  # six months after 2 March
    assert next_action_on(c, dt.date(2026, 8, 25), P) == review_on
    assert [n.kind for n in decide(c, review_on, P)] == ["review"]
