"""`/me` in real Chromium with JavaScript off, at 390 px: an owner, a supervisor and a board member
each see their part (a screenshot each in test-artifacts/screenshots); the owner asks for a later
deadline and the supervisor approves it from their page; every page passes axe at 320 px and
does not scroll sideways. Sign-in is stood in for by tests/support/person.py."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from services.common.clock import SYSTEM, utcnow
from services.common.db import make_engine
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from tests.support.events import agreed_event, panel_event
from tests.support.person import PERSON_HEADER, Served, feed, staff_app

TODAY = SYSTEM.today()


@pytest.fixture
def site(database_url, uid):
    engine = make_engine(database_url)
    tracker = bootstrap(TrackerSettings(followthrough_secret_key="me-browser-" + "k" * 32), SYSTEM, engine=engine)
    late = agreed_event(uid, TODAY - dt.timedelta(days=20), agreed_on=TODAY - dt.timedelta(days=40))
    quiet = agreed_event(uid, TODAY + dt.timedelta(days=100), agreed_on=TODAY - dt.timedelta(days=5))
    soon = agreed_event(uid, TODAY + dt.timedelta(days=5), agreed_on=TODAY - dt.timedelta(days=5),
                        owner=f"p-{uid}@example.org")
    feed(tracker, panel_event(uid), late, quiet, soon)
    tracker.scanner.run(utcnow())
    served = Served(staff_app(tracker))

    class Site:
        url, engine = served.url, tracker.engine
        late_id, quiet_id, soon_id = (e["data"]["commitment"]["id"] for e in (late, quiet, soon))
        people = {"owner": f"o-{uid}@example.org", "supervisor": f"s-{uid}@example.org",
                  "board": f"b-{uid}@example.org"}
    yield Site
    served.stop()
    engine.dispose()


def _page(browser, email: str, width: int = 390, js: bool = False):
    context = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": 900},
                                  extra_http_headers={PERSON_HEADER: email})
    return context.new_page()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _check(browser, email: str, url: str) -> None:
    """axe at 320 px (it runs as a script), and no sideways scroll there."""
    page = _page(browser, email, 320, js=True)
    page.goto(url)
    assert _no_sideways_scroll(page), f"{url} scrolls sideways at 320 px"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.context.close()


def test_three_people_see_their_three_parts_and_the_supervisor_approves_from_me(browser, site, shots):
    expected = {"owner": [site.late_id, site.quiet_id],
                "supervisor": [site.late_id, site.soon_id, site.quiet_id],
                "board": [site.late_id, site.soon_id, site.quiet_id]}
    for who, email in site.people.items():
        page = _page(browser, email)
        page.goto(f"{site.url}/me")
        shown = [x.removeprefix("c-") for x in page.locator("li.card").evaluate_all("els => els.map(e => e.id)")]
        assert shown == expected[who], who
        assert _no_sideways_scroll(page), f"/me scrolls sideways at 390 px for the {who}"
        page.screenshot(path=str(shots / f"me-{who}-390.png"), full_page=True)
        page.context.close()
        _check(browser, email, f"{site.url}/me")

    owner = _page(browser, site.people["owner"])
    owner.goto(f"{site.url}/me")
    owner.locator(f"#c-{site.late_id}").get_by_role("link").click()
    far = TODAY - dt.timedelta(days=20) + dt.timedelta(days=200)
    owner.get_by_label("New deadline").fill(far.isoformat())
    owner.get_by_label("Why? The panel will see this.").first.fill("The budget comes in May")
    owner.get_by_role("button", name="Ask for the new deadline").click()
    assert "your boss is asked to approve it" in owner.inner_text("[role=status]")
    _check(browser, site.people["owner"], f"{site.url}/me/commitments/{site.late_id}")

    boss = _page(browser, site.people["supervisor"])
    boss.goto(f"{site.url}/me")
    assert "Asked to move to" in boss.locator(f"#c-{site.late_id}").inner_text()
    boss.locator(f"#c-{site.late_id}").get_by_role("link").click()
    assert "The budget comes in May" in boss.inner_text("main")
    _check(browser, site.people["supervisor"], f"{site.url}/me/commitments/{site.late_id}")
    boss.screenshot(path=str(shots / "me-supervisor-approve-390.png"), full_page=True)
    boss.get_by_role("button", name="Approve the new deadline").click()
    assert "everyone already told hear of it" in boss.inner_text("[role=status]")
    with site.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT due FROM tracker_commitments WHERE id = :c"),
                            {"c": site.late_id}).scalar() == far
