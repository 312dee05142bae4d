"""The board's report as a PDF (contract §8.2), from a real tracker over a year of promises in
PostgreSQL: the PDF says what the page says (its headings and figures), names no email address, is A4
with "Page N of M" and "data as of" on every page, and its contents page sends each section to the
page it is on. Its pages are drawn as PNG into test-artifacts/report-pdf/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re

import httpx
import pypdfium2
from pypdf import PdfReader

from services.common.clock import london_today
from services.common.db import make_engine
from services.tracker.bootstrap import migrate
from tests.conftest import ARTIFACTS
from tests.support.reportdata import seed

HEADINGS = ("Scrutiny report", "Summary", "By theme", "By panel", "Kept rate and trust pulse",
            "Share overdue by month", "Deadlines moved", "Reached the board", "How we count")
A4 = (595, 842)


def _quarter(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _summary(page: str) -> dict[str, str]:
    """The summary's figures as the HTML page shows them: {term: value}."""
    section = page.split('id="summary"')[1].split("</dl>")[0]
    return {htmllib.unescape(t): htmllib.unescape(v) for t, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section)}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_report_pdf_says_what_the_page_says_on_numbered_a4_pages(services, database_url, uid):
    engine = make_engine(database_url)
    migrate(engine)
    today = london_today()
    panels = seed(engine, today, commitments=240, panels=4, uid=uid)
    engine.dispose()
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute")
    period = _quarter(today - dt.timedelta(days=10))  # holds the newest seeded idea (10 days old)

    page = httpx.get(f"{tracker.url}/reports/{period}", timeout=60).text
    got = httpx.get(f"{tracker.url}/reports/{period}.pdf", timeout=120)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith(f'inline; filename="report-{period}-')
    reader = PdfReader(io.BytesIO(got.content))
    pages = [p.extract_text() for p in reader.pages]
    whole = _flat(" ".join(pages))

    for heading in HEADINGS:
        assert heading in whole, heading
    figures = _summary(page)
    assert int(figures["Raised"].replace(",", "")) > 0
    for term in ("Raised", "Agreed", "Answered on time", "Kept", "Kept, confirmed by the panel"):
        assert _flat(f"{term} {figures[term]}") in whole, (term, figures[term])
    for slug in panels:
        assert slug in whole
    assert "@" not in whole and "example.org" not in whole

    n = len(pages)
    day = f"{today.day} {today:%B %Y}"
    for i, (p, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4
        assert f"Page {i} of {n}" in text and f"Data as of {day}" in text

    contents = pages[0] + pages[1]
    for heading in ("By panel", "Deadlines moved", "How we count"):
        listed = int(re.search(rf"{heading}\W*?\.*\s*(\d+)", contents).group(1))
        assert heading in pages[listed - 1], (heading, listed)

    _draw(got.content, ARTIFACTS / "report-pdf")


def test_the_report_pdf_speaks_welsh_and_refuses_a_period_that_is_none(services, database_url, uid):
    engine = make_engine(database_url)
    migrate(engine)
    today = london_today()
    panels = seed(engine, today, commitments=24, panels=2, uid=uid)
    engine.dispose()
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute")
    period = _quarter(today)

    welsh = httpx.get(f"{tracker.url}/reports/{period}.pdf?lang=cy&panel={panels[0]}", timeout=120)
    assert welsh.status_code == 200 and welsh.headers["content-language"] == "cy"
    text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(welsh.content)).pages))
    assert "Tudalen 1 o" in text and panels[0] in text and panels[1] not in text

    _the_panel_sees_what_the_report_says(tracker.url, period, panels[0])

    assert httpx.get(f"{tracker.url}/reports/2026-Q5.pdf").status_code == 404
    assert httpx.get(f"{tracker.url}/reports/{period}.pdf?panel=no-such-panel").status_code == 404


def _the_panel_sees_what_the_report_says(url: str, period: str, slug: str) -> None:
    """The panel's page and session pack carry the quarter's figures for that panel, linked to the report."""
    figures = _summary(httpx.get(f"{url}/reports/{period}?panel={slug}", timeout=60).text)
    for address in (f"{url}/panels/{slug}", f"{url}/panels/{slug}/session"):
        page = httpx.get(address, timeout=60).text
        block = page.split('class="report-summary"')[1].split("</section>")[0]
        assert f"What the report for {period} says about your panel" in block
        shown = {htmllib.unescape(t): v for t, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block)}
        assert shown["Ideas you raised"] == figures["Raised"] and shown["Police said yes"] == figures["Agreed"]
        assert shown["Kept, and you checked"] == figures["Kept, confirmed by the panel"]
        assert shown["Late"] == figures["Late"]
        assert f'href="/reports/{period}?panel={slug}"' in block


def _draw(pdf: bytes, folder) -> None:
    """Each page at 100 dpi as PNG, for the evidence; a drawn page is not blank."""
    folder.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    for i in range(len(document)):
        image = document[i].render(scale=100 / 72).to_pil().convert("L")
        assert image.getextrema()[0] < 128  # some ink on every page
        image.save(folder / f"page-{i + 1:02d}.png")
