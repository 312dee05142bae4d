"""`GET /reports/{period}.pdf` (contract §8.2): the board's report as a PDF, made from the very HTML
`/reports/{period}` serves, so the printed copy and the page cannot disagree. Registered before the
page's own route, whose `{period}` would otherwise take "2026-Q4.pdf"."""

from __future__ import annotations

import datetime as dt
import threading

from fastapi import APIRouter, Request, Response

from services.common import i18n
from services.common.i18n import _
from services.tracker.adapters.pdf import PdfWords, render_pdf
from services.tracker.usecases.reportview import period_of
from services.tracker.web import reports

router = APIRouter(include_in_schema=False)

# A PDF takes seconds of one core: one at a time per process, so a burst of board members cannot
# starve the panels' pages; the page cache then hands the same bytes to everyone else.
_ONE_AT_A_TIME = threading.Lock()


@router.get("/reports/{period}.pdf")
def report_pdf(request: Request, period: str, panel: str | None = reports.Panel,
               area: str | None = reports.Area) -> Response:
    state = request.app.state
    today = state.clock.today()
    name = period_of(period).text  # a period that is none of the three forms: 404, before any work

    def render() -> bytes:
        html = reports.render_report_html(state.engine, name, today, panel=panel, area=area)
        with _ONE_AT_A_TIME:
            # Links resolve against our own address, never the Host header a visitor sent: the copy is
            # cached and handed to everyone.
            return render_pdf(html, pdf_words(today), base_url=state.settings.public_url + "/")

    # The period as parsed, so "2026-q4" and "2026-Q4" are one copy; an unknown panel or area is refused
    # before anything is made, and leaves nothing in the cache.
    pdf = reports.cached(state, ("report.pdf", name, panel, area, today), render)
    filename = f"report-{name}{'-' + panel if panel else ''}-{today.isoformat()}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def pdf_words(today: dt.date) -> PdfWords:
    """The PDF's own words (its margins and contents page), in the language in force."""
    return PdfWords(contents=_("Contents"), page_of=_("Page %(page)s of %(pages)s"),
                    data_as_of=_("Data as of %(day)s") % {"day": i18n.short_date(today)})
