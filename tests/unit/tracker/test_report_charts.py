"""The report's SVG charts (web/charts.py): they parse, say what they are, print every figure as text,
hold the same numbers as the table beside them, and never lean on colour alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.counting import Rate
from services.tracker.domain.report import MonthLine, PulseMonth
from services.tracker.web.charts import Chart, Series, bar_chart, figure, line_chart
from services.tracker.web.reportwords import chart_tables, charts

SVG = "{http://www.w3.org/2000/svg}"
shares = st.one_of(st.none(), st.integers(0, 100))


def _values(svg: str) -> dict[tuple[int, int], str]:
    root = ET.fromstring(svg)
    return {(int(t.get("data-series")), int(t.get("data-point"))): t.text for t in root.iter(f"{SVG}text")
            if t.get("class") == "value"}


@given(st.lists(st.tuples(shares, shares), min_size=1, max_size=12))
def test_a_line_chart_parses_and_prints_every_figure_it_draws(points):
    chart = Chart("c1", "Kept & trust <by month>", "Two lines", tuple(f"M{i}" for i in range(len(points))),
                  (Series("Kept", tuple(a for a, _ in points)), Series("Pulse", tuple(b for _, b in points))))
    svg = line_chart(chart)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "Kept & trust <by month>"
    printed = _values(svg)
    for k, s in enumerate(chart.series):
        for i, v in enumerate(s.values):
            assert printed.get((k, i)) == (figure(v) if v is not None else None)
    # Told apart without colour: the second line is dashed and its markers are squares.
    for line in root.iter(f"{SVG}polyline"):
        assert bool(line.get("stroke-dasharray")) == (line.get("data-series") == "1")


@given(st.lists(shares, min_size=1, max_size=12))
def test_a_bar_chart_has_a_figure_for_every_bar_even_an_empty_one(values):
    labels = tuple(str(i) for i in range(len(values)))
    chart = Chart("c2", "Overdue", "Bars", labels, (Series("Overdue", tuple(values)),))
    svg = bar_chart(chart)
    root = ET.fromstring(svg)
    assert _values(svg) == {(0, i): figure(v) for i, v in enumerate(values)}
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#000" and r.get("height") and r.get("x") != "0"]
    assert len([v for v in values if v is not None]) + 1 == len(bars)  # one per figure, plus the legend's swatch
    for bar in bars:
        assert float(bar.get("height")) >= 0


def test_a_second_series_is_hatched_and_each_chart_names_its_own_patterns():
    chart = Chart("c3", "Two", "Two bars", ("a",), (Series("One", (40,)), Series("Two", (60,))))
    svg = bar_chart(chart)
    assert 'id="c3-p1"' in svg and 'fill="url(#c3-p1)"' in svg


def test_the_table_beside_each_chart_holds_the_charts_numbers():
    months = [MonthLine("2026-10", Rate(1, 4), PulseMonth(5, 18, 3), Rate(2, 8), Rate(3, 3)),
              MonthLine("2026-11", Rate(0, 0), None, Rate(1, 3), Rate(0, 2))]
    drawn = charts(months)
    heads, tables = chart_tables(months, drawn)
    svgs = {"kept": line_chart(drawn["kept"]), "overdue": bar_chart(drawn["overdue"]),
            "answered": bar_chart(drawn["answered"])}
    for key, chart in drawn.items():
        printed = _values(svgs[key])
        for i, row in enumerate(tables[key]):
            for k in range(len(chart.series)):
                assert row[1 + k] == figure(chart.series[k].values[i])
                assert printed.get((k, i), "–") == row[1 + k]
        assert heads[key][:len(chart.series)] == [s.name for s in chart.series]
    assert [r[1:3] for r in tables["kept"]] == [["25%", "60%"], ["–", "–"]]
    assert [r[1] for r in tables["overdue"]] == ["25%", "33%"]
    assert [r[1] for r in tables["answered"]] == ["100%", "0%"]


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=12))
def test_at_each_month_the_higher_figure_sits_above_its_point_and_the_lower_below(points):
    chart = Chart("c3", "Kept and trust", "Two lines", tuple(f"M{i}" for i in range(len(points))),
                  (Series("Kept", tuple(a for a, _ in points)), Series("Pulse", tuple(b for _, b in points))))
    ys = {(int(t.get("data-series")), int(t.get("data-point"))): float(t.get("y"))
          for t in ET.fromstring(line_chart(chart)).iter(f"{SVG}text") if t.get("class") == "value"}
    for i, (kept, pulse) in enumerate(points):
        upper, lower = ((0, 1) if kept >= pulse else (1, 0))
        assert ys[(upper, i)] < ys[(lower, i)], (kept, pulse)  # SVG's y grows downwards
