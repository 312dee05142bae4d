"""The report's periods (domain/reportperiod.py): the three forms, their bounds, and the next report."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.reportperiod import FORMS, BadPeriod, ReportPeriod, parse_period

years = st.integers(min_value=2000, max_value=2999)
A_FORM = re.compile(r"^\s*2\d{3}(-[qQ][1-4]|-(0[1-9]|1[0-2]))?\s*$")


@given(years, st.integers(1, 4))
def test_a_quarter_is_its_three_months(year, q):
    p = parse_period(f"{year}-Q{q}")
    assert (p.kind, p.text) == ("quarter", f"{year}-Q{q}")
    assert p.start == dt.date(year, 3 * q - 2, 1)
    assert len(p.months()) == 3 and p.months()[0] == f"{year}-{3 * q - 2:02d}"
    assert (p.end + dt.timedelta(days=1)).day == 1 and p.end.month == 3 * q


@given(years, st.integers(1, 12))
def test_a_month_and_the_next_report(year, month):
    p = parse_period(f"{year}-{month:02d}")
    assert p.start == dt.date(year, month, 1) and p.months() == [f"{year}-{month:02d}"]
    following = p.following()
    assert following.start == p.end + dt.timedelta(days=1)
    assert p.next_report_due == following.end


@given(years)
def test_a_year_runs_january_to_december_and_the_next_is_due_at_the_end_of_the_next(year):
    p = parse_period(str(year))
    assert (p.start, p.end) == (dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert p.next_report_due == dt.date(year + 1, 12, 31)
    assert len(p.months()) == 12


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_day_is_in_exactly_one_quarter_of_its_year(day):
    holding = [q for q in range(1, 5) if ReportPeriod("quarter", day.year, q).holds(day)]
    assert len(holding) == 1
    assert parse_period(f"{day.year}-Q{holding[0]}").holds(day)
    assert not parse_period(f"{day.year}-Q{holding[0]}").following().holds(day)


@given(st.text(max_size=12).filter(lambda t: not A_FORM.match(t)))
def test_anything_else_is_refused_naming_the_forms(text):
    with pytest.raises(BadPeriod) as refused:
        parse_period(text)
    assert FORMS in str(refused.value)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-Q0", "26-Q4", "2026-1", "1999", "2026-00", "2026Q4"])
def test_near_misses_are_refused(text):
    with pytest.raises(BadPeriod):
        parse_period(text)


def test_the_last_quarter_and_month_roll_into_the_next_year():
    assert parse_period("2026-Q4").following().text == "2027-Q1"
    assert parse_period("2026-12").following().text == "2027-01"
    assert parse_period("2026-q4").text == "2026-Q4"
