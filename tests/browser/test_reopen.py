"""Kept promises re-checked, in real Chromium with JavaScript off: twelve weeks after a promise was
kept the panel's page asks "Still working?", and the panel reopens it with its access code."""

from __future__ import annotations

import datetime as dt

import httpx
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until

COMPLAINT = "Officers stopped explaining why they stop us."


def test_the_panel_reopens_a_kept_promise_from_its_page_without_javascript(browser, services, stack, database_url,
                                                                            uid, prefix, shots):
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=20))
    publish(stack.bootstrap, event, prefix)
    cid = event["data"]["commitment"]["id"]
    url = f"{tracker.url}/api/v1/commitments/{cid}"
    wait_until(lambda: httpx.get(url).status_code == 200)
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    assert httpx.post(f"{url}/updates", headers=admin, json={
        "note": "Done", "done": True, "evidence_note": "A list", "summary": "Officers say why."}).status_code == 200
    assert httpx.post(f"{url}/verdict", json={"verdict": "confirmed", "comment": "",
                                              "access_code": panel_code(uid)}).json()["status"] == "kept"
    engine = make_engine(database_url)
    with engine.begin() as conn:  # kept 13 weeks ago: past the 12-week sustainment check
        conn.execute(sa.text("UPDATE tracker_commitments SET kept_on = :d WHERE id = :c"),
                     {"d": london_today() - dt.timedelta(weeks=13), "c": cid})
    engine.dispose()

    page = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 900}).new_page()
    page.goto(f"{tracker.url}/panels/panel-{uid}")
    page.locator("details.group > summary", has_text="Done and checked").click()
    card = page.locator(f"#c-{cid}")
    form = card.locator("form.still-working")
    assert "Still working?" in form.inner_text()
    form.get_by_label("What is not working any more?").fill(COMPLAINT)
    form.get_by_label("Your panel's access code").fill("not the code")
    form.get_by_role("button", name="It stopped working: reopen it").click()
    assert "access code is not right" in page.inner_text("[role=alert]")
    page.locator("details.group > summary", has_text="Done and checked").click()
    form = page.locator(f"#c-{cid} form.still-working")
    form.get_by_label("What is not working any more?").fill(COMPLAINT)
    form.get_by_label("Your panel's access code").fill(panel_code(uid))
    form.get_by_role("button", name="It stopped working: reopen it").click()
    assert "It is open again" in page.inner_text("[role=status]")
    card = page.locator(f"#c-{cid}")
    text = card.inner_text()
    assert "Being worked on" in text and "Reopened by you" in text
    assert card.locator("form.still-working").count() == 0
    card.locator("summary", has_text="Why the date moved").click()
    assert f"You reopened it: {COMPLAINT}" in card.locator("ol.moves").inner_text()
    page.screenshot(path=str(shots / "reopened.png"), full_page=True)
    assert httpx.get(url).json()["status"] == "in_progress"
