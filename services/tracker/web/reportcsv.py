"""`/reports/{period}.csv`: every table of the scrutiny report in one file, in sections.

Each section starts with a header line whose first cell is `table` and whose other cells name the
section's columns; every line after it, up to the next header, starts with the section's name (`rows`,
`figures`, `declined`, `months`, `redated`, `board`, `no_closing_date`, `formulas`, `report`) and then
its values. `rows` are the register's rows (its CSV's columns, plus `themes` and `in_period`) behind
every figure, and `redated` every re-dating so far (`in_period` marks the report's; the monthly share
overdue needs the others); a spreadsheet filter on the first column gives one table. English, like the register's
CSV: the columns and codes are the formulas' names."""

from __future__ import annotations

import csv
import io

from services.tracker.domain.counting import COLUMNS, HOW_WE_COUNT, Rate, csv_cells
from services.tracker.domain.report import REPORT_FORMULAS, Report, Tally

STATES = ("kept_confirmed", "kept_unchecked", "in_progress", "late", "lapsed", "withdrawn", "disputed", "reopened")
RATES = ("acceptance", "answered_on_time", "done_on_time", "kept", "disputed", "reopened")
FIGURES = ("group", "key", "raised", "median_days_to_answer", "agreed", "in_principle", "declined", *STATES,
           *(f"{name}_{part}" for name in (*RATES, "kept_confirmed_rate") for part in ("part", "whole", "percent")),
           "median_days_overdue")
MONTHS = ("month", *(f"{name}_{part}" for name in ("kept", "overdue", "answered_on_time")
                     for part in ("part", "whole", "percent")),
          "pulse_counted", "pulse_mean_trust", "pulse_kept_yes", "pulse_kept_yes_percent")


def report_csv(report: Report) -> str:
    """`rows` holds every row of the panels reported on (the monthly series count them all); `in_period`
    marks those raised in the period, which every other figure counts."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    today, period = report.today, report.period
    _section(w, "report", ("name", "value"), [
        ("period", period.text), ("start", period.start.isoformat()), ("end", period.end.isoformat()),
        ("panel", report.panel or ""), ("area", report.area or ""), ("data_as_of", today.isoformat()),
        ("next_report_due", report.next_report_due.isoformat())])
    _section(w, "rows", (*COLUMNS, "themes", "in_period"), [
        (*csv_cells(r, today), _safe(";".join(report.themes.get(r.recommendation_id, ()))),
         "yes" if period.holds(r.raised_on) else "no") for r in report.so_far])
    tallies = [("all", report.total), *(("theme", t) for t in report.by_theme),
               *(("panel", t) for t in report.by_panel)]
    _section(w, "figures", FIGURES, [_figures(group, t) for group, t in tallies])
    _section(w, "declined", ("group", "key", "decline_code", "count"),
             [(g, _safe(t.key), code, n) for g, t in tallies for code, n in t.rates.declines_by_code.items()])
    _section(w, "months", MONTHS, [_month(m) for m in report.months])
    _section(w, "redated", ("commitment_id", "panel", "area", "owner_role", "on", "old", "new", "reason", "approver",
                            "in_period", "action"),
             [(d.commitment_id, d.panel, _safe(d.area), _safe(d.owner_role), d.on, d.old, d.new, _safe(d.reason),
               d.approver, "yes" if period.holds(d.on) else "no", _safe(d.action)) for d in report.redated_so_far])
    _section(w, "board", ("commitment_id", "panel", "area", "owner_role", "on", "kind", "level", "action"),
             [(b.commitment_id, b.panel, _safe(b.area), _safe(b.owner_role), b.on, b.kind, b.level, _safe(b.action))
              for b in report.board])
    _section(w, "no_closing_date", ("recommendation_id", "panel", "decision", "raised_on"),
             [(x.recommendation_id, x.panel, x.decision, x.raised_on) for x in report.no_closing_date])
    _section(w, "formulas", ("name", "symbols"), [(f.name, f.symbols) for f in HOW_WE_COUNT + REPORT_FORMULAS])
    return out.getvalue()


def _section(w, name: str, columns, lines) -> None:
    w.writerow(("table", *columns))
    w.writerows((name, *("" if v is None else v for v in line)) for line in lines)


def _rate(r: Rate) -> tuple:
    return r.part, r.whole, "" if r.percent is None else r.percent


def _figures(group: str, t: Tally) -> tuple:
    rates = [getattr(t.rates, name) for name in RATES] + [t.kept_confirmed_rate]
    return (group, _safe(t.key), t.raised, t.median_days_to_answer, t.agreed, t.in_principle, t.declined,
            *(getattr(t, s) for s in STATES), *(x for r in rates for x in _rate(r)), t.rates.median_days_overdue)


def _month(m) -> tuple:
    p = m.pulse
    pulse = (p.counted, p.mean_trust, p.kept_yes, p.kept_yes_share.percent) if p else ("", "", "", "")
    return (m.month, *_rate(m.kept), *_rate(m.overdue), *_rate(m.answered_on_time), *pulse)


def _safe(text: str) -> str:
    """Text people wrote, quoted off so a spreadsheet never runs it as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
