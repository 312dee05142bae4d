"""The panel's side in real Chromium with JavaScript off: the trust pulse (hidden at 4 answers,
shown at 5, one answer a month from a browser), the session pack printed to an A4 PDF, the
phone-first paged panel page, a kept promise leading with what changed, the register's tables as
cards on a phone, axe, 320 px, plain words."""

from __future__ import annotations

import datetime as dt
import io
import time
import unicodedata
import uuid

import httpx
import pytest
import textstat
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from schemas import Recommendation, RecommendationDeclined, make_event
from services.common.clock import london_today
from tests.conftest import ARTIFACTS
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.notices import publish_all

LATE_ACTION = "Explain every stop and search in plain words"
DECLINED_REASON = "The police do not run the buses, so they cannot make them free."
KEPT_SUMMARY = "Officers now say why they stop you."
WHO_CAN = "the county council transport team"
REPLY_COMMENT = "We will write to the council ourselves."
EXTRA = 70  # promises being worked on, so the panel's page has more than one page


@pytest.fixture
def panel_side(services, stack, database_url, uid, prefix):
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    today = london_today()
    events = [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-20, 10, 20)]
    events[0]["data"]["commitment"]["action"] = LATE_ACTION
    events += [agreed_event(uid, today + dt.timedelta(days=60 + i)) for i in range(EXTRA)]
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations", events)
    rec = Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=today - dt.timedelta(days=3),
                         title="Free bus passes", detail="", themes=["other"])
    publish(stack.bootstrap, make_event("recommendation.declined", str(rec.id),
                                        RecommendationDeclined(recommendation=rec, reason=DECLINED_REASON,
                                                               decline_code="no_power", who_can=WHO_CAN),
                                        source="test"), prefix)
    ids = [e["data"]["commitment"]["id"] for e in events]
    listing = f"{tracker.url}/api/v1/commitments?panel=panel-{uid}&limit=500"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(httpx.get(listing).json()) < len(events):
        time.sleep(0.3)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and WHO_CAN not in httpx.get(f"{tracker.url}/panels/panel-{uid}").text:
        time.sleep(0.3)  # the decline is read
    r = httpx.post(f"{tracker.url}/api/v1/recommendations/{rec.id}/reply",
                   json={"access_code": panel_code(uid), "reply": "accept", "comment": REPLY_COMMENT})
    assert r.status_code == 201, r.text
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    for cid, summary in ((ids[1], "Officers came to your club twice."), (ids[2], KEPT_SUMMARY)):
        r = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/updates", headers=admin,
                       json={"note": "Done", "done": True, "evidence_note": "A list", "summary": summary})
        assert r.status_code == 200, r.text
    r = httpx.post(f"{tracker.url}/api/v1/commitments/{ids[2]}/verdict",
                   json={"verdict": "confirmed", "comment": "", "access_code": panel_code(uid)})
    assert r.status_code == 200, r.text

    class Site:
        url = tracker.url
        slug = f"panel-{uid}"
        panel = f"{tracker.url}/panels/panel-{uid}"
        session = f"{tracker.url}/panels/panel-{uid}/session"
        register = f"{tracker.url}/register"
        code = panel_code(uid)
        late, waiting, kept = ids[0], ids[1], ids[2]

        @classmethod
        def answer(cls, n: int) -> None:
            for i in range(n):
                r = httpx.post(f"{cls.url}/api/v1/panels/{cls.slug}/pulse",
                               json={"access_code": cls.code, "trust": 1 + i % 5, "kept": "yes"})
                assert r.status_code == 201, r.text
    return Site


def no_js(browser, width=1280):
    return browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900}).new_page()


def test_pulse_results_are_hidden_at_four_answers_and_shown_at_five(browser, panel_side):
    panel_side.answer(4)
    page = no_js(browser, 320)
    for url in (panel_side.session, panel_side.register, panel_side.panel):
        page.goto(url)
        assert page.locator("#pulse-results").count() == 0, url
        assert "once 5 or more of you answer" in page.inner_text("#pulse-none"), url
    # The fifth answer, through the form on the panel's page.
    page.locator("summary", has_text="Tell us how you feel").click()
    form = page.locator("form[action$='/pulse']")
    form.get_by_label("5: a lot").check()
    form.get_by_label("Not sure").check()
    form.get_by_label("Your panel's access code").fill(panel_side.code)
    form.get_by_role("button", name="Send").click()
    assert "Your answer is counted" in page.inner_text("[role=status]")
    for url in (panel_side.panel, panel_side.session, panel_side.register):
        page.goto(url)
        results = page.inner_text("#pulse-results")
        assert "trust is 3.0 out of 5" in results and "80% said police kept their promises" in results, url
        assert page.locator("#pulse-results svg[role=img] desc").count() == 1, url  # the chart's text alternative
        assert "1 of" in page.inner_text(".pulse .rate"), url  # the kept rate beside the chart


def _answer_by_form(page, code: str | None, trust: str = "5: a lot") -> None:
    """`code` None: this device remembers the panel's code, so the form does not ask for it."""
    page.locator("summary", has_text="Tell us how you feel").click()
    form = page.locator("form[action$='/pulse']")
    form.get_by_label(trust).check()
    form.get_by_label("Not sure").check()
    code_field = form.get_by_label("Your panel's access code")
    if code is None:
        assert code_field.count() == 0, "the device typed the right code once: it should not be asked again"
    else:
        code_field.fill(code)
    form.get_by_role("button", name="Send").click()


def test_a_browser_answers_the_pulse_once_a_month_and_the_page_says_how_many_answered(browser, panel_side):
    page = no_js(browser, 320)
    page.goto(panel_side.panel)
    _answer_by_form(page, panel_side.code)
    assert "Your answer is counted" in page.inner_text("[role=status]")
    _answer_by_form(page, None, trust="1: not at all")
    assert "already answered this month" in page.inner_text("body")
    page.goto(panel_side.panel)
    assert "So far 1 of you answered" in page.inner_text("#pulse-count")
    other = no_js(browser, 320)  # another phone answers
    other.goto(panel_side.panel)
    _answer_by_form(other, panel_side.code)
    assert "So far 2 of you answered" in other.inner_text("#pulse-count")


def test_the_session_pack_prints_on_one_a4_sheet_naming_what_is_late_and_why_police_said_no(browser, panel_side):
    page = no_js(browser)
    page.goto(panel_side.session)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    path = ARTIFACTS / "session-pack.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    # NFKC: the PDF's fonts set "ffi" and the like as one ligature glyph.
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages))
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages: {text}"
    box = reader.pages[0].mediabox  # A4 is 595 x 842 points
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert LATE_ACTION in text and "Late by 20 days" in text
    assert DECLINED_REASON in text and f"Police cannot do this; {WHO_CAN} can." in text
    assert "You accepted this (their no)" in text and REPLY_COMMENT in text
    assert KEPT_SUMMARY in text and "Officers came to your club twice." in text
    assert "@example.org" not in text


def test_a_kept_promise_leads_with_what_changed_for_you(browser, panel_side):
    page = no_js(browser, 320)
    page.goto(panel_side.panel)
    card = page.locator(f"#c-{panel_side.kept}")
    assert not card.is_visible()  # folded with the others
    page.locator("details.group > summary", has_text="Done and checked").click()
    assert card.is_visible()
    first_line = card.inner_text().strip().splitlines()[0]
    assert first_line == f"What changed for you: {KEPT_SUMMARY}"


def test_the_panel_page_puts_what_needs_the_panel_first_and_pages_the_rest(browser, panel_side, shots):
    page = no_js(browser, 320)
    page.goto(panel_side.panel)
    cards = page.locator("main > article.card")  # open, not folded
    shown = [cards.nth(i).get_attribute("id") for i in range(cards.count())]
    assert shown[:2] == [f"c-{panel_side.waiting}", f"c-{panel_side.late}"]
    assert page.locator("details.group article.card").first.is_visible() is False
    assert len(httpx.get(panel_side.panel).content) < 50_000
    page.get_by_role("link", name="Next page").click()
    assert "page=2" in page.url and page.locator("article.card").count() > 0
    assert len(httpx.get(page.url).content) < 50_000
    page.get_by_role("link", name="Previous page").click()
    assert "page=1" in page.url


@pytest.mark.parametrize("which", ["session", "panel-page-1", "panel-page-2", "register"])
def test_new_pages_have_no_accessibility_violations_and_no_sideways_scrolling(browser, panel_side, shots, which):
    panel_side.answer(5)  # the pulse chart is on the page too
    url = {"session": panel_side.session, "panel-page-1": panel_side.panel,
           "panel-page-2": f"{panel_side.panel}?page=2", "register": panel_side.register}[which]
    for width in (320, 1280):
        page = no_js(browser, width)
        page.goto(url)
        page.screenshot(path=str(shots / f"{which}-pulse-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
            f"{which} scrolls sideways at {width} px"
        if width == 320:
            js = browser.new_context(viewport={"width": 320, "height": 900}).new_page()  # axe runs as a script
            js.goto(url)
            results = Axe().run(js)
            assert results.violations_count == 0, results.generate_report()


def test_the_registers_tables_are_cards_with_labels_on_a_phone(browser, panel_side):
    page = browser.new_context(viewport={"width": 320, "height": 900}).new_page()
    page.goto(panel_side.register)
    cell = page.locator("table.stack td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert cell.get_attribute("data-label") == "Who"
    assert label in ('"Who: "', 'attr(data-label) ": "'), label
    assert page.locator("table.stack thead").first.is_visible() is False or \
        page.locator("table.stack thead").first.bounding_box()["width"] <= 1
    assert page.locator("table.stack caption").first.bounding_box()["width"] > 200  # a line, not a letter a line
    wide = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    wide.goto(panel_side.register)
    assert wide.locator("table.stack td").first.evaluate("td => getComputedStyle(td).display") == "table-cell"


@pytest.mark.parametrize("which", ["session", "panel"])
def test_the_fixed_text_of_the_new_pages_is_plain(browser, panel_side, which):
    panel_side.answer(5)
    page = browser.new_context().new_page()
    page.goto({"session": panel_side.session, "panel": panel_side.panel}[which])
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    fixed = page.evaluate("""() => { const m = document.body.cloneNode(true);
        m.querySelectorAll('.user, svg, style').forEach(e => e.remove()); return m.innerText; }""")
    lines = [ln.strip() for ln in fixed.splitlines() if ln.strip()]
    text = " ".join(ln if ln[-1] in ".?!:" else ln + "." for ln in lines)
    grade = textstat.flesch_kincaid_grade(text)
    print(f"\n{which}: fixed text Flesch-Kincaid grade {grade}")
    assert grade <= 7, text
