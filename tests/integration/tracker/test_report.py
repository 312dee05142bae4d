"""The scrutiny report anyone can recompute (docs/contract.md §8.2), on PostgreSQL with a quarter of history
made through the tracker's own ingest, commands and scan (tests/support/report_history.py).

Every figure of `/reports/2026-Q4` is worked out again here from `/reports/2026-Q4.csv` alone, by the
formulas the page names, without the tracker's counting code; then checked against what the story did
(the events and commands); and neither the page nor the file holds an email address."""

from __future__ import annotations

import csv
import html
import io
import re
import statistics
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from services.common import i18n
from services.tracker import app as tracker_app
from services.tracker.web.reports import render_report_html
from tests.support.report_history import AS_OF, PULSE, seed_report_history
from tests.support.reportsite import report_app

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
STATES = ("kept_confirmed", "kept_unchecked", "in_progress", "late", "lapsed", "withdrawn", "disputed", "reopened")


@pytest.fixture
def history(database_url, uid):
    h = seed_report_history(database_url, uid)
    yield h
    h.tracker.engine.dispose()


def _sections(text: str) -> dict[str, list[dict]]:
    """The CSV's sections: a `table` header line, then lines naming their section (reportcsv.py)."""
    tables: dict[str, list[dict]] = defaultdict(list)
    header: list[str] = []
    for line in csv.reader(io.StringIO(text)):
        if line[0] == "table":
            header = line[1:]
        else:
            tables[line[0]].append(dict(zip(header, line[1:], strict=True)))
    return tables


def _n(value: str) -> int:
    return int(value) if value else 0


def _rate(part: int, whole: int) -> tuple[str, str, str]:
    return str(part), str(whole), str(round(100 * part / whole)) if whole else ""


def _state(r: dict) -> str:
    if r["status"] == "kept":
        return "kept_confirmed" if r["kept_by"] == "panel" else "kept_unchecked"
    if r["status"] in ("lapsed", "withdrawn", "disputed"):
        return r["status"]
    return "late" if _n(r["days_overdue"]) > 0 else "in_progress"


def _recompute(rows: list[dict]) -> dict[str, str]:
    """One line of the `figures` table from rows, by the formulas the report names."""
    commitments = [r for r in rows if r["commitment_id"]]
    answered = [r for r in rows if r["decision"] in ("agreed", "declined")]
    clocked = [r for r in rows if r["answered_on_time"]]
    marked = [c for c in commitments if c["done_on"]]
    judged = [c for c in commitments if c["status"] in ("kept", "disputed", "lapsed")]
    ever_kept = [c for c in commitments if c["status"] == "kept" or _n(c["reopened"])]
    waits = [(_day(r["answered_on"]) - _day(r["raised_on"])).days for r in answered if r["answered_on"]]
    late = [_n(c["days_overdue"]) for c in commitments if _n(c["days_overdue"]) > 0]
    counted = {s: sum(_state(c) == s for c in commitments) for s in STATES[:-1]}
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


def _median(values: list[int]) -> str:
    return "" if not values else str(statistics.median(values))


def _day(text: str):
    import datetime as dt
    return dt.date.fromisoformat(text)


def _month_ends(rows: list[dict], moved: list[dict]) -> dict[str, tuple[str, ...]]:
    """Each month's share overdue, kept rate and answered in time, by the report's words."""
    import datetime as dt
    out = {}
    for month, end in (("2026-10", dt.date(2026, 10, 31)), ("2026-11", dt.date(2026, 11, 30)), ("2026-12", AS_OF)):
        working, overdue = 0, 0
        for r in rows:
            agreed = _day(r["answered_on"] or r["raised_on"])
            if (not r["commitment_id"] or r["status"] == "withdrawn" or agreed > end
                    or (r["done_on"] and _day(r["done_on"]) <= end)):
                continue
            due = _day(r["original_due"])
            for m in moved:  # oldest first
                if m["commitment_id"] == r["commitment_id"] and _day(m["on"]) <= end:
                    due = _day(m["new"])
            working += 1
            overdue += due < end
        first_due = [r for r in rows if r["commitment_id"] and r["original_due"][:7] == month]
        judged = [r for r in first_due if r["status"] in ("kept", "disputed", "lapsed")]
        raised = [r for r in rows if r["raised_on"][:7] == month and r["answered_on_time"]]
        out[month] = (*_rate(sum(r["status"] == "kept" for r in judged), len(judged)), *_rate(overdue, working),
                      *_rate(sum(r["answered_on_time"] == "yes" for r in raised), len(raised)))
    return out


def test_every_figure_of_the_report_is_recomputed_from_its_csv_and_from_the_story(history):
    client = TestClient(report_app(history.tracker))
    page = client.get("/reports/2026-Q4")
    assert page.status_code == 200, page.text
    text = client.get("/reports/2026-Q4.csv").text
    t = _sections(text)

    rows = [r for r in t["rows"] if r["in_period"] == "yes"]
    themes = defaultdict(list)
    for r in rows:
        for theme in (r["themes"].split(";") if r["themes"] else ["none"]):
            themes[theme].append(r)
    expected = {("all", "all"): _recompute(rows), **{("theme", k): _recompute(v) for k, v in themes.items()}}
    panels = defaultdict(list)
    for r in rows:
        panels[r["panel"]].append(r)
    expected |= {("panel", k): _recompute(v) for k, v in panels.items()}
    shown = {(f["group"], f["key"]): {k: v for k, v in f.items() if k not in ("group", "key")} for f in t["figures"]}
    assert shown == expected

    moved = [m for m in t["redated"]]
    months = {m["month"]: tuple(m[k] for k in ("kept_part", "kept_whole", "kept_percent", "overdue_part",
                                               "overdue_whole", "overdue_percent", "answered_on_time_part",
                                               "answered_on_time_whole", "answered_on_time_percent"))
              for m in t["months"]}
    assert months == _month_ends(t["rows"], moved)
    declined = {(d["group"], d["key"], d["decline_code"]): d["count"] for d in t["declined"]}
    assert declined[("all", "all", "no_power")] == "1"

    # The story, told by the events and commands: what the report must say about them.
    ids = history.ids
    all_ = shown[("all", "all")]
    assert all_["raised"] == str(history.raised_in_q4)  # the September one is not the quarter's
    assert (all_["kept_confirmed"], all_["kept_unchecked"], all_["disputed"], all_["withdrawn"]) == ("1", "1", "1", "1")
    assert {r["commitment_id"]: r["kept_by"] for r in rows if r["status"] == "kept"} == \
        {ids["confirmed"]: "panel", ids["silent"]: "no_answer"}
    assert [(m["commitment_id"], m["old"], m["new"], m["approver"], m["in_period"]) for m in moved] == [
        (ids["owner_moved"], "2026-11-10", "2026-12-20", "owner", "yes"),
        (ids["supervisor_moved"], "2026-11-15", "2027-03-15", "supervisor", "yes")]
    assert moved[0]["reason"].startswith("The radios come late")
    board = [(b["commitment_id"], b["action"], b["level"]) for b in t["board"]]
    assert board == [(ids["board"], "Brief officers", "3")]
    assert ("theme", "respect") in shown and shown[("theme", "safety")]["raised"] == "2"
    pulse = {m["month"]: (m["pulse_counted"], m["pulse_kept_yes"]) for m in t["months"]}
    assert pulse == {"2026-10": ("5", "3"), "2026-11": ("5", "2"), "2026-12": ("", "")}
    assert t["months"][0]["pulse_mean_trust"] == str(round(sum(v for v, _ in PULSE[10]) / 5, 1))
    report = {x["name"]: x["value"] for x in t["report"]}
    assert (report["data_as_of"], report["next_report_due"]) == ("2026-12-10", "2027-03-31")

    # The page shows the same figures, names each formula, and draws the charts with their tables.
    html = page.text
    for label, key in (("Raised", "raised"), ("Kept, confirmed by the panel", "kept_confirmed"),
                       ("Kept, not checked by the panel", "kept_unchecked"), ("Late", "late"),
                       ("Withdrawn", "withdrawn"), ("Disputed", "disputed")):
        assert re.search(rf"<dt>{re.escape(label)}</dt><dd>{all_[key]}</dd>", html), label
    assert f"{all_['kept_percent']}% ({all_['kept_part']} of {all_['kept_whole']})" in html
    for formula in t["formulas"]:
        assert formula["symbols"].replace(">", "&gt;").replace("<", "&lt;") in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "Data as of" in html and "10 December 2026" in html and "31 March 2027" in html
    assert "Yes in principle" in html

    # No email address, in the page, the file or a reason someone wrote.
    for body in (html, text):
        assert not EMAIL.search(body), EMAIL.search(body)
        assert not any(a in body for a in history.addresses)
    assert "[address removed]" in html and "[address removed]" in text
    # The function the PDF and the bench call gives the same page (outside a request, its link to the
    # Welsh page has no path).
    outside = render_report_html(history.tracker.engine, "2026-Q4", AS_OF)
    assert outside.split("<main", 1)[1] == html.split("<main", 1)[1]


def test_a_panel_an_area_a_month_and_a_year_and_the_refusals(history):
    client = TestClient(report_app(history.tracker))
    one = _sections(client.get(f"/reports/2026-Q4.csv?panel={history.panel}").text)
    assert {r["panel"] for r in one["rows"]} == {history.panel}
    other = _sections(client.get("/reports/2026-Q4.csv", params={"area": "Other area"}).text)
    assert {r["panel"] for r in other["rows"]} == {history.other_panel}
    assert [f["raised"] for f in other["figures"] if f["group"] == "all"] == ["1"]
    month = _sections(client.get("/reports/2026-11.csv").text)
    assert [m["month"] for m in month["months"]] == ["2026-11"]
    assert all(r["raised_on"][:7] == "2026-11" for r in month["rows"] if r["in_period"] == "yes")
    year = client.get("/reports/2026")
    assert year.status_code == 200 and "Scrutiny report: 2026" in year.text
    assert 'href="/reports/2026-Q4.csv?panel=' in client.get(f"/reports/2026-Q4?panel={history.panel}").text

    for bad in ("2026-Q5", "Q4-2026", "2026-13"):
        refused = client.get(f"/reports/{bad}")
        assert refused.status_code == 404, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "2026-Q4" in refused.json()["detail"] and "2026-12" in refused.json()["detail"]
    assert client.get("/reports/2026-Q4?panel=no-such-panel").status_code == 404
    assert client.get("/reports/2026-Q4.csv?area=Nowhere").status_code == 404


def test_the_report_follows_the_visitors_language(history):
    client = TestClient(report_app(history.tracker))
    welsh = html.unescape(client.get("/reports/2026-Q4?lang=cy").text)
    assert '<html lang="cy' in welsh and "Adroddiad craffu: Hydref i Rhagfyr 2026" in welsh
    assert "Wedi'i gadw, heb i'r panel wirio" in welsh and "Scrutiny report" not in welsh
    assert 'href="/reports/2026-Q4?lang=en"' in welsh
    with i18n.speaking("cy", i18n.locale_dir(tracker_app.__file__)):
        assert "Adroddiad craffu" in render_report_html(history.tracker.engine, "2026-Q4", AS_OF)
