"""The scrutiny report's figures (domain/report.py) from plain rows: the period's recommendations, kept
by the panel apart from kept by silence, the deadline in force each month, and no address in words."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.counting import Row, rates
from services.tracker.domain.report import BoardNotice, PulseMonth, Redating, build, overdue_share, state
from services.tracker.domain.reportperiod import parse_period

D = dt.date
Q4 = parse_period("2026-Q4")
TODAY = D(2026, 12, 4)


def _row(rid: str, raised: dt.date, decision: str = "agreed", **kw) -> Row:
    base = dict(recommendation_id=rid, panel=kw.pop("panel", "north"), area="North", raised_on=raised,
                decision=decision, decline_code=kw.pop("decline_code", None),
                answered_on=kw.pop("answered_on", raised + dt.timedelta(days=4)),
                respond_by=kw.pop("respond_by", None))
    if decision == "agreed":
        first_due = kw.pop("original_due", kw.get("due", D(2026, 11, 1)))
        base.update(commitment_id="c" + rid, owner_role="Inspector", original_due=first_due)
    return Row(**base, **kw)


def _rows() -> list[Row]:
    return [
        _row("1", D(2026, 10, 2), status="kept", done_on=D(2026, 10, 20), kept_by="panel"),
        _row("2", D(2026, 10, 5), status="kept", done_on=D(2026, 10, 25), kept_by="no_answer"),
        _row("3", D(2026, 11, 1), status="in_progress", due=D(2026, 11, 20), days_overdue=14),
        _row("4", D(2026, 11, 2), status="disputed", done_on=D(2026, 11, 10), disputes=1, due=D(2026, 12, 20)),
        _row("5", D(2026, 11, 3), "declined", decline_code="no_budget"),
        _row("6", D(2026, 11, 4), "in_principle", answered_on=None, decide_by=None),
        _row("7", D(2026, 12, 1), "pending", answered_on=None, respond_by=D(2026, 12, 20)),
        _row("8", D(2026, 9, 30), status="lapsed", due=D(2026, 10, 1)),  # raised before the quarter
    ]


def test_the_report_counts_the_periods_recommendations_with_kept_by_the_panel_apart():
    report = build(Q4, TODAY, _rows(), {"1": ("safety",), "2": ("safety", "respect")}, [], [], {})
    t = report.total
    assert t.raised == 7  # not the one raised in September
    assert (t.agreed, t.in_principle, t.declined) == (4, 1, 1)
    assert (t.kept_confirmed, t.kept_unchecked, t.late, t.disputed, t.lapsed) == (1, 1, 1, 1, 0)
    assert t.rates == rates(report.rows, TODAY)  # the register's formulas over the period's rows
    assert (t.kept_confirmed_rate.part, t.kept_confirmed_rate.whole) == (1, 3)  # kept 2 + disputed 1
    assert [x.key for x in report.by_theme] == ["none", "respect", "safety"]
    assert {x.key: x.raised for x in report.by_theme} == {"none": 5, "respect": 1, "safety": 2}
    assert [r.recommendation_id for r in report.no_closing_date] == ["6"]  # in principle, with no decide-by
    assert report.next_report_due == D(2027, 3, 31)


def test_kept_with_no_record_of_who_checked_is_not_counted_as_checked():
    assert state(_row("9", D(2026, 10, 1), status="kept", done_on=D(2026, 10, 2)), TODAY) == "kept_unchecked"


def test_the_share_overdue_uses_the_deadline_in_force_that_day():
    row = _row("1", D(2026, 10, 1), status="in_progress", due=D(2026, 12, 30), original_due=D(2026, 11, 1))
    moved = Redating("c1", "north", "North", "Inspector", D(2026, 11, 15), D(2026, 11, 1), D(2026, 12, 30), "", "owner")
    moves = {"c1": [moved]}
    assert overdue_share([row], moves, D(2026, 10, 31)).part == 0
    assert overdue_share([row], moves, D(2026, 11, 10)).part == 1  # late before the re-dating
    assert overdue_share([row], moves, D(2026, 11, 30)).part == 0  # not after it
    assert overdue_share([row], {}, D(2026, 11, 30)).part == 1


def test_months_stop_at_the_day_of_the_data_and_carry_the_published_pulse():
    report = build(Q4, TODAY, _rows(), {}, [], [], {"2026-11": PulseMonth(5, 20, 4)})
    assert [m.month for m in report.months] == ["2026-10", "2026-11", "2026-12"]
    assert report.months[1].pulse.mean_trust == 4.0 and report.months[1].pulse.kept_yes_share.percent == 80
    early = build(Q4, D(2026, 10, 9), _rows(), {}, [], [], {})
    assert [m.month for m in early.months] == ["2026-10"]


def test_re_datings_and_board_notices_are_the_periods_and_carry_no_address():
    moved = [Redating("c3", "north", "North", "Inspector a.b@force.example", D(2026, 11, 5), D(2026, 11, 1),
                      D(2026, 11, 20), "Ask jo@force.example.uk why", "supervisor"),
             Redating("c8", "north", "North", "Inspector", D(2026, 9, 5), D(2026, 9, 1), D(2026, 10, 1), "", "owner")]
    board = [BoardNotice("c3", "north", "North", "Inspector", D(2026, 12, 2), "escalation", 3),
             BoardNotice("c8", "north", "North", "Inspector", D(2026, 9, 2), "escalation", 3)]
    report = build(Q4, TODAY, _rows(), {}, moved, board, {})
    assert [d.commitment_id for d in report.redated] == ["c3"] and len(report.redated_so_far) == 2
    assert "@" not in report.redated[0].reason + report.redated[0].owner_role
    assert report.redated[0].reason == "Ask [address removed] why"
    assert [b.commitment_id for b in report.board] == ["c3"]


@given(st.lists(st.sampled_from(["kept_panel", "kept_silence", "in_progress", "late", "lapsed", "withdrawn",
                                 "disputed", "done"]), max_size=30))
def test_every_commitment_is_counted_in_exactly_one_status(kinds):
    rows = []
    for i, k in enumerate(kinds):
        status = {"kept_panel": "kept", "kept_silence": "kept", "late": "in_progress"}.get(k, k)
        rows.append(_row(str(i), D(2026, 10, 1), status=status, days_overdue=5 if k == "late" else 0,
                         kept_by={"kept_panel": "panel", "kept_silence": "no_answer"}.get(k)))
    t = build(Q4, TODAY, rows, {}, [], [], {}).total
    counted = (t.kept_confirmed, t.kept_unchecked, t.in_progress, t.late, t.lapsed, t.withdrawn, t.disputed)
    assert sum(counted) == len(kinds)
    assert t.kept_confirmed == kinds.count("kept_panel") and t.kept_unchecked == kinds.count("kept_silence")
