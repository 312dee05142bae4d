"""The panel's page and session pack in Welsh (docs/contract.md §8.4) in real Chromium with JavaScript
off, on the real tracker: a phone's view at 390 px (screenshots welsh-panel-390.png and
welsh-session-pack-390.png), no sideways scrolling and no axe violations at 320 px, valid HTML by the
Nu Html Checker, and the Welsh pack still on one A4 sheet."""

from __future__ import annotations

import io
import unicodedata

import httpx
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from tests.browser.test_panel_side import DECLINED_REASON, LATE_ACTION, WHO_CAN, no_js, panel_side  # noqa: F401
from tests.conftest import ARTIFACTS
from tests.support import vnu


def _phone_checks(browser, url: str, shot, name: str) -> None:
    """A phone without JavaScript at 390 px (its screenshot) and 320 px; axe (a script) in a second page."""
    for width in (390, 320):
        page = no_js(browser, width)
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "cy"
        if width == 390:
            page.screenshot(path=str(shot / name), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
            f"{url} scrolls sideways at {width} px"
    page = browser.new_context(viewport={"width": 320, "height": 900}).new_page()
    page.goto(url)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_welsh_panel_page_on_a_phone(browser, panel_side, shots):  # noqa: F811
    url = f"{panel_side.panel}?lang=cy"
    _phone_checks(browser, url, shots, "welsh-panel-390.png")
    page = no_js(browser, 390)
    page.goto(url)
    assert "Yn hwyr, neu’n aros amdanoch chi" in page.inner_text("main")
    assert page.get_by_role("link", name="English").get_attribute("hreflang") == "en-GB"
    page.get_by_role("link", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert "Late, or waiting for you" in page.inner_text("main")


def test_the_welsh_session_pack_on_a_phone_and_on_one_a4_sheet(browser, panel_side, shots):  # noqa: F811
    url = f"{panel_side.session}?lang=cy"
    _phone_checks(browser, url, shots, "welsh-session-pack-390.png")
    page = no_js(browser)
    page.goto(url)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "welsh-session-pack.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages))
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages: {text}"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert LATE_ACTION in text and "Yn hwyr o 20 diwrnod" in text
    assert DECLINED_REASON in text and f"All yr heddlu ddim gwneud hyn; gall {WHO_CAN}." in text
    assert "Late by" not in text and "Police said no" not in text


def test_the_welsh_pages_are_valid_html(panel_side):  # noqa: F811
    pages = {name: httpx.get(url).text for name, url in (
        ("panel", f"{panel_side.panel}?lang=cy"), ("session pack", f"{panel_side.session}?lang=cy"),
        ("panel page 2", f"{panel_side.panel}?lang=cy&page=2"))}
    assert all('<html lang="cy">' in html for html in pages.values())
    assert vnu.check(pages) == {}
