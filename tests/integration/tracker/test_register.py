"""A register anyone can recompute (contract §5 "Closing the loop"): a real tracker fed through Kafka;
every rate on `/register` is worked out again here from `/register.csv` alone, by the formulas the
page's "how we count" section gives in words, without the tracker's own counting code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
import uuid

import httpx
import sqlalchemy as sa

from schemas import Recommendation, make_event
from schemas.models import RecommendationDeclined, RecommendationRecorded
from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.notices import publish_all
from tests.support.procs import wait_until

FIGURES = ("Agreed", "Answered on time", "Done on time", "Kept", "Kept, confirmed by the panel",
           "Kept, not checked by the panel", "Disputed", "Reopened", "Agreed in principle")


def _rec(uid: str, raised_on: dt.date) -> Recommendation:
    return Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=raised_on, title="More youth clubs",
                          detail="", themes=["safety"])


def _story(uid: str, today: dt.date) -> list[dict]:
    """Agreed promises due in the past and the future, declined ideas, and pending ones in and past their time."""
    events = [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-40, -20, -5, 10, 30, 60)]
    for _ in range(2):
        events.append(make_event("recommendation.declined", "x", RecommendationDeclined(
            recommendation=_rec(uid, today - dt.timedelta(days=9)), reason="We cannot fund it this year."),
            source="test"))
    for respond_by in (today - dt.timedelta(days=3), today + dt.timedelta(days=20)):
        events.append(make_event("recommendation.recorded", "x", RecommendationRecorded(
            recommendation=_rec(uid, today - dt.timedelta(days=60)), respond_by=respond_by), source="test"))
    for decide_by in (today - dt.timedelta(days=2), today + dt.timedelta(days=15)):  # yes in principle, no promise
        events.append(make_event("recommendation.recorded", "x", RecommendationRecorded(
            recommendation=_rec(uid, today - dt.timedelta(days=30)), respond_by=decide_by, decision="in_principle",
            reason="We like it. We need the money first.", decide_by=decide_by), source="test"))
    for e in events:
        e["subject"] = e["data"]["recommendation"]["id"]
    return events


def test_every_rate_on_the_register_is_recomputed_from_the_csv(services, stack, database_url, uid, prefix):
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute", FOLLOWTHROUGH_SCAN_INTERVAL="1")
    publish(stack.bootstrap, panel_event(uid), prefix)
    today = london_today()
    events = _story(uid, today)
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations", events)
    wait_until(lambda: len(_csv(tracker.url)) == len(events), timeout=60)

    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    agreed = [e["data"]["commitment"]["id"] for e in events if e["type"] == "recommendation.agreed"]
    done = {"note": "Done", "done": True, "evidence_note": "Minutes", "summary": "It is done."}
    for cid in agreed[:4]:  # two done late (first due dates passed), two on time
        assert httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/updates", json=done, headers=admin).is_success
    code = panel_code(uid)
    for cid, verdict in zip(agreed[:3], ("confirmed", "disputed", "confirmed"), strict=True):
        r = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/verdict",
                       json={"verdict": verdict, "comment": "We checked at youth club.", "access_code": code})
        assert r.is_success, r.text

    _silence_keeps(database_url, agreed[3], today)  # the fourth, marked done, the panel never checks

    wait_until(lambda: sum(r["status"] in ("kept", "disputed") for r in _csv(tracker.url)) == 4, timeout=30)
    rows = _csv(tracker.url)
    page = httpx.get(f"{tracker.url}/register").text

    assert len(rows) == len(events)
    assert len([r for r in rows if r["commitment_id"]]) == len(agreed)
    assert "@" not in httpx.get(f"{tracker.url}/register.csv").text  # no email address is public
    shown = {name: _figure(page, name) for name in FIGURES}
    assert shown == _recompute(rows, today), page
    late = [int(r["days_overdue"]) for r in rows if r["days_overdue"] and int(r["days_overdue"]) > 0]
    assert f"{statistics.median(late):g} days" in page
    assert re.search(r"Another reason \(<code>other</code>\): 2", page)
    assert 'href="/register.csv"' in page and "How we count" in page
    # A fixture built to exercise every figure: none of them is empty or trivially 0 or 100%.
    assert all(whole > 0 for _, whole in list(shown.values())[:7]), shown
    assert shown["Kept, confirmed by the panel"][0] == 2 and shown["Kept, not checked by the panel"][0] == 1
    assert sorted(r["kept_by"] for r in rows if r["status"] == "kept") == ["no_answer", "panel", "panel"]
    assert all(r["kept_by"] == "" for r in rows if r["status"] != "kept")


def _silence_keeps(database_url: str, commitment_id: str, today: dt.date) -> None:
    """Marked done longer ago than the confirmation window (28 days), and due for the scan today."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE tracker_commitments SET done_on = :d, next_action_on = :t WHERE id = :c"),
                         {"d": today - dt.timedelta(days=40), "t": today, "c": commitment_id})
    finally:
        engine.dispose()


def _recompute(rows: list[dict], today: dt.date) -> dict[str, tuple[int, int]]:
    """The "how we count" formulas, applied to the CSV's columns (kept separate from the tracker's code)."""
    answered = [r for r in rows if r["decision"] in ("agreed", "declined")]
    clocked = [r for r in rows if r["answered_on_time"] in ("yes", "no")]
    for r in rows:  # the file's own answered_on_time column agrees with its dates
        if r["decision"] == "in_principle":  # it still owes its answer, by decide_by
            assert r["decide_by"] and r["respond_by"] == r["decide_by"], r
        if r["decision"] in ("pending", "in_principle"):
            expected = "no" if r["respond_by"] and dt.date.fromisoformat(r["respond_by"]) < today else ""
        else:
            expected = "yes" if not r["respond_by"] or r["answered_on"] <= r["respond_by"] else "no"
        assert r["answered_on_time"] == expected, r
    done = [r for r in rows if r["done_on"]]
    judged = [r for r in rows if r["status"] in ("kept", "disputed", "lapsed")]
    ever_kept = [r for r in rows if r["status"] == "kept" or int(r["reopened"] or 0) > 0]
    return {
        "Agreed": (sum(r["decision"] == "agreed" for r in answered), len(answered)),
        "Answered on time": (sum(r["answered_on_time"] == "yes" for r in clocked), len(clocked)),
        "Done on time": (sum(r["done_on"] <= r["original_due"] for r in done), len(done)),
        "Kept": (sum(r["status"] == "kept" for r in judged), len(judged)),
        "Kept, confirmed by the panel": (sum(r["status"] == "kept" and r["kept_by"] == "panel" for r in judged),
                                         len(judged)),
        "Kept, not checked by the panel": (sum(r["status"] == "kept" and r["kept_by"] != "panel"
                                               for r in judged), len(judged)),
        "Disputed": (sum(int(r["disputes"]) > 0 for r in done), len(done)),
        "Reopened": (sum(int(r["reopened"]) > 0 for r in ever_kept), len(ever_kept)),
        "Agreed in principle": (sum(r["decision"] == "in_principle" for r in rows),
                                sum(r["decision"] in ("agreed", "declined", "in_principle") for r in rows)),
    }


def _figure(page: str, name: str) -> tuple[int, int]:
    m = re.search(rf"<dt>{name}</dt><dd>(?:(\d+)% \((\d+) of (\d+)\)|not yet known)", page)
    assert m, f"{name} is not on the register"
    if m.group(1) is None:
        return (0, 0)
    part, whole = int(m.group(2)), int(m.group(3))
    assert int(m.group(1)) == round(100 * part / whole)
    return part, whole


def _csv(url: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(httpx.get(f"{url}/register.csv").text)))

