"""Any report's figures are recomputed from its CSV alone (tests/support/report_recompute.py), for random
rows, re-datings and periods: the file holds everything the page counts."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracker.domain.counting import Row
from services.tracker.domain.report import Redating, build
from services.tracker.domain.reportperiod import ReportPeriod
from services.tracker.web.reportcsv import report_csv
from tests.support.report_recompute import expected_figures, expected_months, sections, shown_figures, shown_months

START = dt.date(2026, 1, 1)
days = st.integers(0, 500).map(lambda n: START + dt.timedelta(days=n))


@st.composite
def rows(draw) -> Row:
    raised = draw(days)
    decision = draw(st.sampled_from(["agreed", "declined", "in_principle", "pending"]))
    answered = raised + dt.timedelta(days=draw(st.integers(0, 60))) if decision in ("agreed", "declined") else None
    respond_by = draw(st.one_of(st.none(), st.just(raised + dt.timedelta(days=28))))
    base = dict(recommendation_id=f"r{draw(st.uuids())}", panel=draw(st.sampled_from(["north", "south"])),
                area="A", raised_on=raised, decision=decision, answered_on=answered, respond_by=respond_by,
                decline_code=draw(st.sampled_from(["no_power", "other"])) if decision == "declined" else None)
    if decision != "agreed":
        return Row(**base)
    status = draw(st.sampled_from(["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]))
    due = answered + dt.timedelta(days=draw(st.integers(1, 90)))
    done = due + dt.timedelta(days=draw(st.integers(-30, 30))) if status in ("done", "kept", "disputed") else None
    return Row(**base, commitment_id=f"c{base['recommendation_id']}", owner_role="Inspector", status=status,
               original_due=due, due=due, done_on=done, disputes=int(status == "disputed"),
               reopened=draw(st.integers(0, 1)), days_overdue=draw(st.integers(0, 40)) if status == "open" else 0,
               kept_by=draw(st.sampled_from(["panel", "no_answer", None])) if status == "kept" else None)


@settings(max_examples=60, deadline=None)
@given(st.lists(rows(), max_size=25), st.sampled_from([ReportPeriod("quarter", 2026, 2), ReportPeriod("year", 2026, 0),
                                                        ReportPeriod("month", 2026, 11)]),
       st.lists(st.tuples(st.integers(0, 24), days, st.integers(1, 60)), max_size=6))
def test_every_figure_is_recomputed_from_the_csv(sample, period, moves):
    agreed = [r for r in sample if r.commitment_id]
    redatings = [Redating(agreed[i % len(agreed)].commitment_id, "north", "A", "Inspector", on, on,
                          on + dt.timedelta(days=later), "Budget", "owner") for i, on, later in moves] if agreed else []
    themes = {r.recommendation_id: ("safety",) * (i % 2) + ("youth",) * (i % 3 == 0) for i, r in enumerate(sample)}
    report = build(period, dt.date(2026, 12, 4), sample, themes, redatings, [], {})
    t = sections(report_csv(report))
    assert shown_figures(t) == expected_figures(t)
    assert shown_months(t) == expected_months(t)
