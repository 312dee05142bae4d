"""The scrutiny report in real Chromium: at 320 px (a phone) and 1280 px it passes axe and does not
scroll sideways, in English and Welsh; its charts are drawn and its contents links land; printed to
A4 it keeps its charts; and the page passes the Nu Html Checker. Screenshots in test-artifacts."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support import vnu
from tests.support.person import Served
from tests.support.report_history import seed_report_history
from tests.support.reportsite import report_app


@pytest.fixture
def site(database_url, uid):
    history = seed_report_history(database_url, uid)
    served = Served(report_app(history.tracker))
    yield served.url, history
    served.stop()
    history.tracker.engine.dispose()


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_report_passes_axe_at_phone_and_desktop_width(browser, site, shots, width, lang):
    url, _ = site
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{url}/reports/2026-Q4?lang={lang}")
    assert page.evaluate("document.documentElement.lang").startswith(lang)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
        f"the report scrolls sideways at {width} px"
    assert page.locator("svg.chart").count() == 3
    assert all(box and box["width"] <= width for box in (page.locator("svg.chart").nth(i).bounding_box()
                                                         for i in range(3)))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.click("a[href='#board']")
    assert page.evaluate("location.hash") == "#board"
    page.screenshot(path=str(shots / f"report-{lang}-{width}.png"), full_page=True)
    page.context.close()


def test_the_report_prints_to_a4_and_passes_the_nu_checker(browser, site, shots):
    url, history = site
    page = browser.new_context().new_page()
    page.goto(f"{url}/reports/2026-Q4")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('header .twin')).display") == "none"
    assert page.locator("svg.chart").first.is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
    (shots / "report-print.pdf").write_bytes(pdf)
    page.context.close()
    pages = {f"report {lang} {q}": httpx.get(f"{url}/reports/{q}{'&' if '?' in q else '?'}lang={lang}").text
             for lang in ("en", "cy") for q in ("2026-Q4", "2026", f"2026-11?panel={history.panel}")}
    assert vnu.check(pages) == {}
