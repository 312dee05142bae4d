"""The scrutiny report anyone can recompute (docs/contract.md §8.2), on PostgreSQL with a quarter of history
made through the tracker's own ingest, commands and scan (tests/support/report_history.py).

Every figure of `/reports/2026-Q4` is worked out again here from `/reports/2026-Q4.csv` alone, by the
formulas the page names, without the tracker's counting code; then checked against what the story did
(the events and commands); and neither the page nor the file holds an email address."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from services.common import i18n
from services.tracker import app as tracker_app
from services.tracker.web.reports import render_report_html
from tests.support.report_history import AS_OF, PULSE, seed_report_history
from tests.support.report_recompute import (
    expected_figures,
    expected_months,
    sections,
    shown_figures,
    shown_months,
)
from tests.support.reportsite import report_app

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def history(database_url, uid):
    h = seed_report_history(database_url, uid)
    yield h
    h.tracker.engine.dispose()


def test_every_figure_of_the_report_is_recomputed_from_its_csv_and_from_the_story(history):
    client = TestClient(report_app(history.tracker))
    page = client.get("/reports/2026-Q4")
    assert page.status_code == 200, page.text
    text = client.get("/reports/2026-Q4.csv").text
    t = sections(text)

    rows = [r for r in t["rows"] if r["in_period"] == "yes"]
    shown = shown_figures(t)
    assert shown == expected_figures(t)
    assert shown_months(t) == expected_months(t)
    moved = t["redated"]
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
    one = sections(client.get(f"/reports/2026-Q4.csv?panel={history.panel}").text)
    assert {r["panel"] for r in one["rows"]} == {history.panel}
    other = sections(client.get("/reports/2026-Q4.csv", params={"area": "Other area"}).text)
    assert {r["panel"] for r in other["rows"]} == {history.other_panel}
    assert [f["raised"] for f in other["figures"] if f["group"] == "all"] == ["1"]
    month = sections(client.get("/reports/2026-11.csv").text)
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
    kept = [key for key in history.tracker.page_cache._rendering if {"no-such-panel", "Nowhere"} & set(key)]
    assert kept == []  # a made-up name leaves nothing behind in the page cache


def test_the_report_follows_the_visitors_language(history):
    client = TestClient(report_app(history.tracker))
    welsh = html.unescape(client.get("/reports/2026-Q4?lang=cy").text)
    assert '<html lang="cy' in welsh and "Adroddiad craffu: Hydref i Rhagfyr 2026" in welsh
    assert "Wedi'i gadw, heb i'r panel wirio" in welsh and "Scrutiny report" not in welsh
    assert 'href="/reports/2026-Q4?lang=en"' in welsh
    with i18n.speaking("cy", i18n.locale_dir(tracker_app.__file__)):
        assert "Adroddiad craffu" in render_report_html(history.tracker.engine, "2026-Q4", AS_OF)
