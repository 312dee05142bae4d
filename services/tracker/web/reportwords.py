"""The scrutiny report's figures in the visitor's language, and its charts with their tables: what
templates/report.html shows. The figures are counted in domain/report.py."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from services.common.i18n import N_, gettext, language, number
from services.tracker.domain.counting import HOW_WE_COUNT, Rate
from services.tracker.domain.report import NO_THEME, REPORT_FORMULAS, MonthLine, Report
from services.tracker.domain.reportperiod import ReportPeriod
from services.tracker.web import registerwords
from services.tracker.web.charts import Chart, Series, bar_chart, figure, line_chart

STATUS_WORDS = {"kept_confirmed": N_("Kept, confirmed by the panel"),
                "kept_unchecked": N_("Kept, not checked by the panel"), "in_progress": N_("In progress"),
                "late": N_("Late"), "lapsed": N_("Lapsed"), "withdrawn": N_("Withdrawn"),
                "disputed": N_("Disputed"), "reopened": N_("Reopened")}
APPROVER_WORDS = {"owner": N_("The owner, within their limit"), "supervisor": N_("The owner's supervisor")}
DECISION_WORDS = {"pending": N_("Waiting for an answer"), "in_principle": N_("Yes in principle, no promise yet")}


def pct(rate: Rate) -> str:
    """`40% (2 of 5)`, the register's words for a share."""
    if not rate.whole:
        return gettext("not yet known (none so far)")
    return gettext("%(percent)s%% (%(part)s of %(whole)s)") % {
        "percent": number(rate.percent or 0), "part": number(rate.part), "whole": number(rate.whole)}


def days(value: float | None) -> str:
    return "–" if value is None else number(value)


def period_name(period: ReportPeriod) -> str:
    """`October to December 2026`, `December 2026` or `2026`, in the page's language."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return format_date(period.start, "LLLL y", locale=language())
    return gettext("%(first)s to %(last)s") % {"first": format_date(period.start, "LLLL", locale=language()),
                                                 "last": format_date(period.end, "LLLL y", locale=language())}


def month_name(month: str, pattern: str = "LLLL y") -> str:
    year, number_ = (int(p) for p in month.split("-"))
    return format_date(dt.date(year, number_, 1), pattern, locale=language())


def charts(months: list[MonthLine]) -> dict[str, Chart]:
    labels = tuple(month_name(m.month, "LLL") for m in months)
    return {
        "kept": Chart("chart-kept", gettext("The kept rate and the trust pulse, by month"),
                      gettext("Two lines over the months of the report: the kept rate of the promises first due "
                              "each month (solid line, dots) and the share of panel members who said police kept "
                              "their promises (dashed line, squares). The table below gives every figure."),
                      labels, (Series(gettext("Kept rate"), tuple(m.kept.percent for m in months)),
                               Series(gettext("Trust pulse: said promises were kept"),
                                      tuple(m.pulse.kept_yes_share.percent if m.pulse else None for m in months)))),
        "overdue": Chart("chart-overdue", gettext("Share of promises overdue, at the end of each month"),
                         gettext("One bar for each month of the report: of the promises being worked on at the "
                                 "month's end, the share past their deadline. The table below gives every figure."),
                         labels, (Series(gettext("Overdue"), tuple(m.overdue.percent for m in months)),)),
        "answered": Chart("chart-answered", gettext("Answered within the clock, by month raised"),
                          gettext("One bar for each month of the report: of the recommendations raised that month "
                                  "that police had to answer by now, the share answered in time. The table below "
                                  "gives every figure."),
                          labels, (Series(gettext("Answered in time"),
                                          tuple(m.answered_on_time.percent for m in months)),)),
    }


def chart_tables(months: list[MonthLine], drawn: dict[str, Chart]) -> tuple[dict, dict]:
    """Each chart's text alternative: its columns, and a row per month whose first cells are the chart's
    own figures (the same words the SVG prints), then the counts behind them."""
    heads, tables = {}, {}
    for key, chart in drawn.items():
        heads[key] = [s.name for s in chart.series] + [gettext("Counted from")]
        tables[key] = [[month_name(m.month), *(figure(s.values[i]) for s in chart.series), _behind(key, m)]
                       for i, m in enumerate(months)]
    return heads, tables


def _behind(key: str, m: MonthLine) -> str:
    if key == "overdue":
        return pct(m.overdue)
    if key == "answered":
        return pct(m.answered_on_time)
    kept = gettext("Kept rate: %(rate)s.") % {"rate": pct(m.kept)}
    if m.pulse is None:
        return kept + " " + gettext("Trust pulse: not enough answers to show.")
    return kept + " " + gettext("Trust pulse: %(yes)s said yes; trust %(trust)s out of 5.") % {
        "yes": pct(m.pulse.kept_yes_share), "trust": number(m.pulse.mean_trust or 0)}


def theme_label(key: str) -> str:
    return gettext("No theme") if key == NO_THEME else key


def context(report: Report, csv_url: str) -> dict:
    """Everything the template shows, with the charts drawn."""
    drawn = charts(report.months)
    heads, tables = chart_tables(report.months, drawn)
    return {"heads": heads, "tables": tables, "theme_label": theme_label, "panel_label": lambda k: k,
        "report": report, "name": period_name(report.period), "rates": registerwords.rate_words(report.total.rates),
        "decline_words": registerwords.DECLINE_WORDS, "status_words": STATUS_WORDS, "approver_words": APPROVER_WORDS,
        "decision_words": DECISION_WORDS, "pct": pct, "days": days, "month_name": month_name, "figure": figure,
        "charts": drawn, "svg": {"kept": line_chart(drawn["kept"]), "overdue": bar_chart(drawn["overdue"]),
                                 "answered": bar_chart(drawn["answered"])},
        "how": HOW_WE_COUNT + REPORT_FORMULAS, "csv": csv_url,
    }
