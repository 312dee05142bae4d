"""The panel's right of reply in real Chromium with JavaScript off: a decline that names who can
act, answered with "insist" through the panel page's own form (contract §5)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.events import panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.replies import declined_event


@pytest.fixture
def declined(services, stack, uid, prefix):
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = declined_event(uid)
    publish(stack.bootstrap, event, prefix)
    rec_id = event["subject"]
    wait_until(lambda: httpx.get(f"{tracker.url}/api/v1/recommendations/{rec_id}").status_code == 200)
    return tracker.url, f"{tracker.url}/panels/panel-{uid}", rec_id, panel_code(uid)


def test_the_panel_insists_on_a_decline_with_javascript_off(browser, declined, shots):
    url, panel, rec_id, code = declined
    page = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 900}).new_page()
    page.goto(panel)
    card = page.locator(f"#r-{rec_id}")
    assert "Police cannot do this; the local council can." in page.locator("main").inner_text()
    card.locator("summary", has_text="Answer the police").click()  # <details> opens without JavaScript
    card.get_by_label("We insist: ask them again").check()
    card.get_by_label("Tell them why").fill("Our street is dark. Please ask the council with us.")
    card.get_by_label("Your panel's access code").fill("a wrong code")
    card.get_by_role("button", name="Send your answer").click()
    assert page.locator("p.error").inner_text().startswith("This access code is not right")
    card = page.locator(f"#r-{rec_id}")
    card.locator("summary", has_text="Answer the police").click()
    card.get_by_label("We insist: ask them again").check()
    card.get_by_label("Tell them why").fill("Our street is dark. Please ask the council with us.")
    card.get_by_label("Your panel's access code").fill(code)
    card.get_by_role("button", name="Send your answer").click()
    page.screenshot(path=str(shots / "reply-insisted.png"), full_page=True)
    assert "The police must answer again" in page.locator("p.note").inner_text()
    text = page.locator("main").inner_text()
    assert "You insisted" in text and "Our street is dark." in text and "Awaiting police response" in text
    assert page.locator(f"#r-{rec_id} form").count() == 0  # one reply per decision: the form is gone
    rec = httpx.get(f"{url}/api/v1/recommendations/{rec_id}").json()
    assert rec["decision"] == "pending" and [a["reply"] for a in rec["replies"]] == ["insist"]
