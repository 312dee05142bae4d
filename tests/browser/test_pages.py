"""The pages people use, in real Chromium: panel page, verdicts, respond links,
register, feeds; accessibility (axe-core), 320 px, no JavaScript, plain words."""

from __future__ import annotations

import datetime as dt
import time

import feedparser
import httpx
import pytest
import textstat
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar

from services.common.clock import SimulatedClock, london_today
from services.tracker.adapters.links import RespondLinks
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish

SECRET = "browser-test-secret"
XSS = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"


@pytest.fixture
def site(services, stack, database_url, uid, prefix):
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    panel = panel_event(uid)
    panel["data"]["panel"]["name"] = f"Test panel {XSS}"
    panel["data"]["panel"]["area"] = f"Area {XSS}"
    publish(stack.bootstrap, panel, prefix)
    today = london_today()
    events = [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-20, -2, 10, 45)]
    # A script in every field a person types: none of it may run.
    events[0]["data"]["recommendation"]["title"] = f"Explain stops {XSS}"
    events[0]["data"]["recommendation"]["detail"] = f"Detail {XSS}"
    for field in ("action", "done_means"):
        events[0]["data"]["commitment"][field] = f"{field} {XSS}"
    events[0]["data"]["commitment"]["owner"]["role"] = f"Inspector {XSS}"
    for e in events:
        publish(stack.bootstrap, e, prefix)
    ids = [e["data"]["commitment"]["id"] for e in events]
    deadline = time.monotonic() + 20
    listing = f"{tracker.url}/api/v1/commitments?panel=panel-{uid}"
    while time.monotonic() < deadline and len(httpx.get(listing).json()) < 4:
        time.sleep(0.2)
    code = panel_code(uid)  # its digest came with the panel's event
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    done = {"note": "Done", "done": True, "evidence_note": "Attendance list", "summary": "Every officer was briefed."}
    for cid in ids[2:]:
        assert httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/updates", json=done,
                          headers=admin).status_code == 200
    r = httpx.post(f"{tracker.url}/api/v1/commitments/{ids[0]}/updates", json={"note": f"Note {XSS}"}, headers=admin)
    assert r.status_code == 200

    class Site:
        url = tracker.url
        panel = f"{tracker.url}/panels/panel-{uid}"
        access_code = code
        commitments = ids
        owner = events[0]["data"]["commitment"]["owner"]["email"]
        links = RespondLinks(SECRET, tracker.url)
        admin_headers = admin
    return Site


def no_js_page(browser, width=1280):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
    return context.new_page()


def test_a_panel_member_confirms_and_disputes_without_javascript(browser, site):
    page = no_js_page(browser, 320)
    page.goto(site.panel)
    assert "Waiting for your check: 2" in page.inner_text(".summary")
    first, second = site.commitments[2], site.commitments[3]
    form = page.locator(f"#c-{first} form")
    form.get_by_label("Yes, it is done").check()
    form.get_by_label("Your panel's access code").fill(site.access_code)
    form.get_by_role("button", name="Send your answer").click()
    assert "You said it is done" in page.inner_text("[role=status]")
    assert "Kept, confirmed by the panel" in page.inner_text(f"#c-{first}")
    # The device now remembers the code, so the next form does not ask for it; "Not you?" forgets it.
    assert page.locator(f"#c-{second} form").get_by_label("Your panel's access code").count() == 0
    page.get_by_role("button", name="Not you? Forget the code on this device").click()
    assert "This device has forgotten" in page.inner_text("[role=status]")

    form = page.locator(f"#c-{second} form")
    form.get_by_label("No, it is not done").check()
    form.get_by_label("Your panel's access code").fill(site.access_code)
    form.get_by_role("button", name="Send your answer").click()  # a "no" that says nothing is refused
    assert "say what is not done yet" in page.inner_text(f"#comment-error-{second}")
    assert "You said it is not done" not in page.inner_text(f"#c-{second}")
    form = page.locator(f"#c-{second} form")
    form.get_by_label("No, it is not done").check()
    form.get_by_label("What is not done yet?").fill("We never saw the list")
    form.get_by_label("Your panel's access code").fill("wrong-code")
    form.get_by_role("button", name="Send your answer").click()
    assert "not right for this panel" in page.inner_text("[role=alert]")
    form = page.locator(f"#c-{second} form")
    form.get_by_label("No, it is not done").check()
    form.get_by_label("What is not done yet?").fill("We never saw the list")
    form.get_by_label("Your panel's access code").fill(site.access_code)
    form.get_by_role("button", name="Send your answer").click()
    card = page.inner_text(f"#c-{second}")
    assert "You said it is not done" in card
    page.locator(f"#c-{second} summary").click()
    assert "The panel said it was not done" in page.inner_text(f"#c-{second} details")


def test_a_police_lead_updates_and_marks_done_through_the_respond_link(browser, site):
    cid = site.commitments[0]
    page = no_js_page(browser)
    page.goto(site.links.url(cid, site.owner))
    page.get_by_label("What has happened since the last update?").fill("Briefing written, 12 officers done")
    page.get_by_label("How far along is it?").fill("30")
    page.get_by_role("button", name="Post update").click()
    assert "Your update is posted" in page.inner_text("[role=status]")
    page.get_by_label("In plain words for the panel, what was done?").fill("All officers now explain stops.")
    page.get_by_label("Describe the evidence").fill("Signed attendance list")
    page.get_by_role("button", name="Mark done").click()
    assert "Marked done" in page.inner_text("[role=status]")

    page.goto(site.panel)
    card = page.inner_text(f"#c-{cid}")
    assert "Police say it is done" in card
    page.locator(f"#c-{cid} summary").click()
    history = page.inner_text(f"#c-{cid} details")
    assert "Briefing written, 12 officers done" in history and "All officers now explain stops." in history


def test_bad_links_are_refused_with_a_clear_page(browser, site):
    cid = site.commitments[1]
    page = no_js_page(browser)
    good = site.links.url(cid, site.owner)
    response = page.goto(good[:-3] + "xyz")
    assert response.status == 403 and "not valid" in page.inner_text("main")
    # Signed 31 days ago (a link's clock is the service's clock); links last 30.
    month_ago = SimulatedClock(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=31))
    expired = RespondLinks(SECRET, site.url, clock=month_ago).url(cid, site.owner)
    response = page.goto(expired)
    assert response.status == 403 and "expired" in page.inner_text("main")
    httpx.post(f"{site.url}/api/v1/commitments/{cid}/owner", headers=site.admin_headers,
               json={"role": "Inspector, north", "email": "north@example.org", "reason": "Moved"})
    response = page.goto(good)
    assert response.status == 403 and "new owner" in page.inner_text("main")


def test_user_text_renders_as_text(browser, site):
    page = browser.new_context().new_page()  # JavaScript on: nothing must run
    for url in (site.panel, f"{site.url}/register", site.links.url(site.commitments[0], site.owner)):
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("window.pwned") is None, url
        assert page.locator("script, img").count() == 0, url
    page.goto(site.panel)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    card = page.inner_text(f"#c-{site.commitments[0]}")
    for text in ("Explain stops", "Detail", "action", "done_means", "Inspector", "Note"):
        assert f"{text} {XSS}" in card, text
    assert f"Test panel {XSS}" in page.inner_text("h1")


@pytest.mark.parametrize("which", ["panel", "respond", "register"])
def test_no_accessibility_violations_and_no_sideways_scrolling(browser, site, shots, which):
    url = {"panel": site.panel, "respond": site.links.url(site.commitments[1], site.owner),
           "register": f"{site.url}/register"}[which]
    for width in (320, 1280):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(url)
        page.screenshot(path=str(shots / f"{which}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
            f"{which} scrolls sideways at {width} px"
        if width == 320:
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()


def test_the_panel_page_is_small_and_its_fixed_text_is_plain(browser, site):
    body = httpx.get(site.panel).content
    assert len(body) <= 50_000
    page = browser.new_context().new_page()
    page.goto(site.panel)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    fixed = page.evaluate("""() => { const m = document.body.cloneNode(true);
        m.querySelectorAll('.user, svg, style').forEach(e => e.remove()); return m.innerText; }""")
    # Headings, labels and list items are sentences of their own: end each line with a full stop.
    lines = [ln.strip() for ln in fixed.splitlines() if ln.strip()]
    text = " ".join(ln if ln[-1] in ".?!:" else ln + "." for ln in lines)
    grade = textstat.flesch_kincaid_grade(text)
    print(f"\npanel page: {len(body)} bytes, fixed text Flesch-Kincaid grade {grade}")
    assert grade <= 7, text


def test_feed_and_calendar_parse_and_hold_every_commitment(site):
    feed = feedparser.parse(httpx.get(f"{site.panel}/feed.xml").text)
    assert not feed.bozo
    assert {e.id.rsplit(":", 1)[1] for e in feed.entries} == set(site.commitments)
    cal = Calendar.from_ical(httpx.get(f"{site.panel}/deadlines.ics").content)
    assert {str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")} == set(site.commitments)


def test_no_email_address_on_any_public_page(site):
    for url in (site.panel, f"{site.panel}/feed.xml", f"{site.panel}/deadlines.ics", f"{site.url}/register",
                f"{site.url}/api/v1/commitments", f"{site.url}/api/v1/commitments/{site.commitments[0]}"):
        text = httpx.get(url).text
        assert "@example.org" not in text, url
