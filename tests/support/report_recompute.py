"""Every figure of a scrutiny report worked out again from its CSV alone (web/reportcsv.py's sections),
by the formulas the report names, without the tracker's counting code: used on a generated report
(tests/integration/tracker/test_report.py) and on random rows (tests/unit/tracker)."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import statistics
from collections import defaultdict

STATES = ("kept_confirmed", "kept_unchecked", "in_progress", "late", "lapsed", "withdrawn", "disputed")
MONTH_COLUMNS = ("kept_part", "kept_whole", "kept_percent", "overdue_part", "overdue_whole", "overdue_percent",
                 "answered_on_time_part", "answered_on_time_whole", "answered_on_time_percent")


def sections(text: str) -> dict[str, list[dict]]:
    """The CSV's sections: a `table` header line, then lines naming their section."""
    tables: dict[str, list[dict]] = defaultdict(list)
    header: list[str] = []
    for line in csv.reader(io.StringIO(text)):
        if line[0] == "table":
            header = line[1:]
        else:
            tables[line[0]].append(dict(zip(header, line[1:], strict=True)))
    return tables


def shown_figures(t: dict[str, list[dict]]) -> dict[tuple[str, str], dict[str, str]]:
    return {(f["group"], f["key"]): {k: v for k, v in f.items() if k not in ("group", "key")} for f in t["figures"]}


def expected_figures(t: dict[str, list[dict]]) -> dict[tuple[str, str], dict[str, str]]:
    rows = [r for r in t["rows"] if r["in_period"] == "yes"]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list, {("all", "all"): []})  # even with none
    for r in rows:
        groups[("all", "all")].append(r)
        groups[("panel", r["panel"])].append(r)
        for theme in (r["themes"].split(";") if r["themes"] else ["none"]):
            groups[("theme", theme)].append(r)
    return {key: recompute(group) for key, group in groups.items()}


def _n(value: str) -> int:
    return int(value) if value else 0


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _rate(part: int, whole: int) -> tuple[str, str, str]:
    return str(part), str(whole), str(round(100 * part / whole)) if whole else ""


def _median(values: list[int]) -> str:
    return "" if not values else str(statistics.median(values))


def state(r: dict) -> str:
    if r["status"] == "kept":
        return "kept_confirmed" if r["kept_by"] == "panel" else "kept_unchecked"
    if r["status"] in ("lapsed", "withdrawn", "disputed"):
        return r["status"]
    return "late" if _n(r["days_overdue"]) > 0 else "in_progress"


def recompute(rows: list[dict]) -> dict[str, str]:
    """One line of the `figures` table from rows."""
    commitments = [r for r in rows if r["commitment_id"]]
    answered = [r for r in rows if r["decision"] in ("agreed", "declined")]
    clocked = [r for r in rows if r["answered_on_time"]]
    marked = [c for c in commitments if c["done_on"]]
    judged = [c for c in commitments if c["status"] in ("kept", "disputed", "lapsed")]
    ever_kept = [c for c in commitments if c["status"] == "kept" or _n(c["reopened"])]
    waits = [(_day(r["answered_on"]) - _day(r["raised_on"])).days for r in answered if r["answered_on"]]
    late = [_n(c["days_overdue"]) for c in commitments if _n(c["days_overdue"]) > 0]
    counted = {s: sum(state(c) == s for c in commitments) for s in STATES}
    out = {"raised": str(len(rows)), "agreed": str(sum(r["decision"] == "agreed" for r in rows)),
           "in_principle": str(sum(r["decision"] == "in_principle" for r in rows)),
           "declined": str(sum(r["decision"] == "declined" for r in rows)),
           "median_days_to_answer": _median(waits), "median_days_overdue": _median(late),
           **{s: str(n) for s, n in counted.items()}, "reopened": str(sum(_n(c["reopened"]) > 0 for c in commitments))}
    for name, part, whole in (
            ("acceptance", sum(r["decision"] == "agreed" for r in answered), len(answered)),
            ("answered_on_time", sum(r["answered_on_time"] == "yes" for r in clocked), len(clocked)),
            ("done_on_time", sum(c["done_on"] <= c["original_due"] for c in marked), len(marked)),
            ("kept", sum(c["status"] == "kept" for c in judged), len(judged)),
            ("disputed", sum(_n(c["disputes"]) > 0 for c in marked), len(marked)),
            ("reopened", sum(_n(c["reopened"]) > 0 for c in ever_kept), len(ever_kept)),
            ("kept_confirmed_rate", counted["kept_confirmed"], len(judged))):
        out.update(zip((f"{name}_part", f"{name}_whole", f"{name}_percent"), _rate(part, whole), strict=True))
    return out


def shown_months(t: dict[str, list[dict]]) -> dict[str, tuple[str, ...]]:
    return {m["month"]: tuple(m[k] for k in MONTH_COLUMNS) for m in t["months"]}


def expected_months(t: dict[str, list[dict]]) -> dict[str, tuple[str, ...]]:
    """Each month of the period up to the data's day: the kept rate of those first due in it, the share
    overdue at its end by the deadline in force then, and the share answered in time of those raised in it."""
    about = {x["name"]: x["value"] for x in t["report"]}
    start, end, as_of = _day(about["start"]), _day(about["end"]), _day(about["data_as_of"])
    rows, moved = t["rows"], sorted(t["redated"], key=lambda m: m["on"])
    out = {}
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= min(end, as_of):
        key = f"{year}-{month:02d}"
        last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), as_of)
        working, overdue = 0, 0
        for r in rows:
            if (not r["commitment_id"] or r["status"] == "withdrawn" or _day(r["answered_on"] or r["raised_on"]) > last
                    or (r["done_on"] and _day(r["done_on"]) <= last)):
                continue
            due = _day(r["original_due"])
            for m in moved:
                if m["commitment_id"] == r["commitment_id"] and _day(m["on"]) <= last:
                    due = _day(m["new"])
            working += 1
            overdue += due < last
        first_due = [r for r in rows if r["commitment_id"] and r["original_due"][:7] == key]
        judged = [r for r in first_due if r["status"] in ("kept", "disputed", "lapsed")]
        raised = [r for r in rows if r["raised_on"][:7] == key and r["answered_on_time"]]
        out[key] = (*_rate(sum(r["status"] == "kept" for r in judged), len(judged)), *_rate(overdue, working),
                    *_rate(sum(r["answered_on_time"] == "yes" for r in raised), len(raised)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
