"""The register's counting (domain/counting.py): pure rows in, rates out."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.counting import COLUMNS, Row, csv_cells, rates

TODAY = dt.date(2026, 11, 26)


def test_a_cell_a_spreadsheet_would_run_is_quoted_off():
    row = Row(recommendation_id="r", panel="p", area='=HYPERLINK("x")', raised_on=TODAY, decision="pending",
              decline_code=None, answered_on=None, respond_by=None)
    cells = csv_cells(row, TODAY)
    assert len(cells) == len(COLUMNS)
    assert cells[COLUMNS.index("area")] == """'=HYPERLINK("x")"""


def test_a_pending_idea_counts_as_late_only_once_its_clock_has_run_out():
    def pending(respond_by):
        return Row(recommendation_id="r", panel="p", area="a", raised_on=TODAY, decision="pending",
                   decline_code=None, answered_on=None, respond_by=respond_by)
    assert pending(TODAY).answered_on_time(TODAY) is None
    assert pending(TODAY - dt.timedelta(days=1)).answered_on_time(TODAY) is False
    late_answer = Row(recommendation_id="r", panel="p", area="a", raised_on=TODAY, decision="declined",
                      decline_code="no_budget", answered_on=TODAY, respond_by=TODAY - dt.timedelta(days=1))
    assert late_answer.answered_on_time(TODAY) is False


days = st.integers(-60, 60).map(lambda n: TODAY + dt.timedelta(days=n))
rows = st.builds(
    Row, recommendation_id=st.uuids().map(str), panel=st.just("p"), area=st.just("a"), raised_on=days,
    decision=st.sampled_from(["agreed", "declined", "pending"]),
    decline_code=st.sampled_from([None, "no_power", "no_budget", "other"]), answered_on=st.none() | days,
    respond_by=st.none() | days, commitment_id=st.none() | st.uuids().map(str),
    status=st.sampled_from(["open", "in_progress", "done", "kept", "disputed", "lapsed"]), original_due=days,
    due=days, done_on=st.none() | days, disputes=st.integers(0, 2), reopened=st.integers(0, 2),
    days_overdue=st.integers(0, 50))


@given(st.lists(rows, max_size=40))
def test_every_rate_is_a_fraction_of_what_it_says_it_counts(sample):
    r = rates(sample, TODAY)
    for rate in (r.acceptance, r.answered_on_time, r.done_on_time, r.kept, r.disputed, r.reopened):
        assert 0 <= rate.part <= rate.whole <= len(sample)
        assert rate.percent is None if rate.whole == 0 else 0 <= rate.percent <= 100
    assert sum(r.declines_by_code.values()) == sum(x.decision == "declined" for x in sample)
    assert r.acceptance.whole == sum(x.decision != "pending" for x in sample)
