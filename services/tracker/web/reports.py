"""The scrutiny report (docs/contract.md §8.2): `GET /reports/{period}` (`2026`, `2026-Q4` or `2026-12`;
`?panel=` or `?area=`), one printable page, and `GET /reports/{period}.csv`, every table of it. Public
like /register: no sign-in, and no email address anywhere (owners are named by role).

`render_report_html` is the page without a request, for the PDF, the bench and the demo: it speaks the
language in force (wrap it in `i18n.speaking("cy", ...)` for Welsh)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.common import i18n
from services.tracker.domain.report import Report
from services.tracker.usecases.errors import NotFound
from services.tracker.usecases.reportview import build_report, period_of
from services.tracker.web import reportwords
from services.tracker.web.look import templates
from services.tracker.web.reportcsv import report_csv

router = APIRouter(include_in_schema=False)
Panel = Query(default=None, max_length=64, description="One panel's slug")
Area = Query(default=None, max_length=200, description="One area's panels")


def render_report_html(engine, period: str, today: dt.date, *, panel: str | None = None,
                       area: str | None = None) -> str:
    """The report's page for `period` (`2026`, `2026-Q4`, `2026-12`) with data as of `today`, for the force,
    one panel or one area, from `engine` (the tracker's database). Raises usecases.errors.NotFound for a
    bad period, panel or area."""
    return render_report(build_report(engine, period_of(period), today, panel=panel, area=area))


def render_report(report: Report) -> str:
    csv_url = f"/reports/{report.period.text}.csv" + _query(report.panel, report.area)
    return templates.get_template("report.html").render(reportwords.context(report, csv_url))


def render_report_csv(engine, period: str, today: dt.date, *, panel: str | None = None,
                      area: str | None = None) -> str:
    return report_csv(build_report(engine, period_of(period), today, panel=panel, area=area))


@router.get("/reports/{period}.csv")
def report_csv_route(request: Request, period: str, panel: str | None = Panel, area: str | None = Area) -> Response:
    state, text = request.app.state, period_of(period).text
    today = state.clock.today()
    csv_text = cached(state, ("report.csv", text, panel, area, today),
                       lambda: render_report_csv(state.engine, text, today, panel=panel, area=area))
    name = f"report-{text}{'-' + panel if panel else ''}-{today.isoformat()}.csv"
    return Response(csv_text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/reports/{period}", response_class=HTMLResponse)
def report_page(request: Request, period: str, panel: str | None = Panel, area: str | None = Area) -> Response:
    """Rendered at most once per cache period and language however many read it."""
    state, text = request.app.state, period_of(period).text
    today = state.clock.today()
    i18n.keep_in_twin(panel=panel, area=area)
    return HTMLResponse(cached(state, ("report", text, panel, area, today),
                                lambda: render_report_html(state.engine, text, today, panel=panel, area=area)))


def cached(state, key: tuple, render) -> str:
    """The page from the cache; a panel or area that does not exist is refused and leaves nothing kept."""
    refused: list[NotFound] = []

    def attempt(marker: str) -> str | None:
        try:
            return render()
        except NotFound as e:
            refused.append(e)
            return None
    page = state.page_cache.get(key, attempt)
    if page is None:
        raise refused[0] if refused else NotFound("There is no such report; check the address.")
    return page


def _query(panel: str | None, area: str | None) -> str:
    query = {k: v for k, v in (("panel", panel), ("area", area)) if v}
    return "?" + urlencode(query) if query else ""
