"""The promise on a quiet system: one recommendation alone, through all three services.

The first wave's scan failed on every pass when the only row in a batch changed status, so a
lone lapse, the commonest case on a small panel, was never escalated; and a backlog recorded
late gave the police a fresh response clock. Both are checked here as a new user would see them."""

from __future__ import annotations

import datetime as dt
import time

import httpx

from services.common.clock import london_today
from tests.support.api import agreed_body, issue_token, panel_body


def _wait_for(smtp, recipients: set[str], within: float, since: float) -> list:
    while time.monotonic() - since < within:
        mine = [m for m in smtp.snapshot() if set(m.envelope_to) & recipients]
        if {r for m in mine for r in m.envelope_to} >= recipients:
            return mine
        time.sleep(0.1)
    return [m for m in smtp.snapshot() if set(m.envelope_to) & recipients]


def _start(services, database_url, uid):
    intake, tracker = services("intake"), services("tracker")
    services("notifier")
    auth = {"Authorization": f"Bearer {issue_token(database_url)}"}
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
    return intake, tracker, auth


def test_one_recommendation_45_days_late_reaches_all_four_leads_once_and_lapses(services, database_url, smtp, uid):
    intake, tracker, auth = _start(services, database_url, uid)
    body = agreed_body(uid, london_today() - dt.timedelta(days=45))
    posted = time.monotonic()
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 201, r.text
    commitment_id = r.json()["commitment_id"]

    leads = {f"{who}-{uid}@example.org" for who in ("owner", "supervisor", "senior", "board")}
    mine = _wait_for(smtp, leads, 10, posted)
    assert sorted(r for m in mine for r in m.envelope_to) == sorted(leads), "not one email to each of the four"
    assert {m.message["X-Followthrough-Notice"] for m in mine} == {mine[0].message["X-Followthrough-Notice"]}
    assert all("45 days overdue" in m.part("plain") for m in mine)

    time.sleep(3)  # three more scans: nothing more is sent
    assert len([m for m in smtp.snapshot() if set(m.envelope_to) & leads]) == 4
    assert httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}").json()["status"] == "lapsed"
    page = httpx.get(f"{tracker.url}/panels/panel-{uid}").text
    assert "Promise broken" in page and "45 days" in page


def test_a_pending_recommendation_past_its_clock_reaches_the_supervisor(services, database_url, smtp, uid):
    intake, tracker, auth = _start(services, database_url, uid)
    raised = london_today() - dt.timedelta(days=10)
    body = {"panel": f"panel-{uid}", "raised_on": raised.isoformat(), "title": "Publish stop and search numbers",
            "detail": "", "themes": ["trust"], "decision": "pending", "respond_within_days": 7}
    posted = time.monotonic()
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 201, r.text

    supervisor = f"supervisor-{uid}@example.org"
    mine = _wait_for(smtp, {supervisor}, 10, posted)
    assert [list(m.envelope_to) for m in mine] == [[supervisor]]
    assert "3 days ago" in mine[0].part("plain")  # due by raised_on + 7, three days ago
    page = httpx.get(f"{tracker.url}/panels/panel-{uid}").text
    assert "Awaiting police response" in page and "3 days late" in page


def test_yes_in_principle_past_its_decide_by_reaches_the_supervisor_once_and_the_panel_sees_it(
        services, database_url, smtp, uid):
    """Recorded late for an old session, "in principle" gets no fresh clock: decide_by runs from the
    session, so here it passed three days ago, and the supervisor hears it once."""
    intake, tracker, auth = _start(services, database_url, uid)
    raised = london_today() - dt.timedelta(days=10)
    reason = "We like this idea. We must find the money first."
    body = {"panel": f"panel-{uid}", "raised_on": raised.isoformat(), "title": "Youth workers at every station",
            "detail": "", "themes": ["trust"], "decision": "in_principle", "reason": reason,
            "respond_within_days": 7}
    posted = time.monotonic()
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 201, r.text
    rec_id = r.json()["recommendation_id"]

    supervisor = f"supervisor-{uid}@example.org"
    mine = _wait_for(smtp, {supervisor}, 10, posted)
    assert [list(m.envelope_to) for m in mine] == [[supervisor]]
    assert "3 days ago" in mine[0].part("plain")
    time.sleep(3)  # three more scans: nothing more is sent
    assert len([m for m in smtp.snapshot() if supervisor in m.envelope_to]) == 1
    page = httpx.get(f"{tracker.url}/panels/panel-{uid}").text
    assert "Yes in principle, no promise yet" in page and reason in page and "3 days late" in page
    welsh = httpx.get(f"{tracker.url}/panels/panel-{uid}?lang=cy").text
    assert "Ie mewn egwyddor, dim addewid eto" in welsh
    detail = httpx.get(f"{tracker.url}/api/v1/recommendations/{rec_id}").json()
    assert (detail["decision"], detail["reason"], detail["decide_by"]) == (
        "in_principle", reason, (raised + dt.timedelta(days=7)).isoformat())
