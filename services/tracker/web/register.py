"""The public register (contract §5): `/register` and `/register.csv`, the rows behind every figure on it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.common import i18n
from services.tracker.domain.counting import COLUMNS, HOW_WE_COUNT, csv_cells, rates
from services.tracker.usecases.registerview import register_csv_rows, register_snapshot
from services.tracker.web import registerwords
from services.tracker.web.look import templates
from services.tracker.web.pulse import pulse_view

router = APIRouter(include_in_schema=False)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    """Rendered at most once per cache period and language however many visit; the late list is paged."""
    today = request.app.state.clock.today()
    # Everyone gets the cached page, so its link to the other language carries the page number and nothing
    # else the first visitor's address held.
    i18n.keep_in_twin(page=page if page > 1 else None)
    html = request.app.state.page_cache.get(("register", today, page),
                                            lambda marker: _render(request.app.state.engine, today, page))
    return HTMLResponse(html)


@router.get("/register.csv")
def register_csv(request: Request) -> Response:
    today = request.app.state.clock.today()
    text = request.app.state.page_cache.get(("register.csv", today),
                                            lambda marker: _csv(request.app.state.engine, today))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="register-{today.isoformat()}.csv"'})


def _csv(engine, today: dt.date) -> str:
    rows = register_csv_rows(engine, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(csv_cells(r, today) for r in rows)
    return out.getvalue()


def _render(engine, today: dt.date, page: int) -> str:
    snap = register_snapshot(engine, today)
    counted, pulse = rates(snap.rows, today), pulse_view(snap.pulse)
    r = registerwords.register(snap.commitments, snap.areas, today)
    per = registerwords.REGISTER_PAGE
    return templates.get_template("register.html").render({
        "r": r, "rates": registerwords.rate_words(counted), "how": HOW_WE_COUNT, "today": today,
        "overdue": r.overdue[(page - 1) * per: page * per], "page": page, "more": len(r.overdue) > page * per,
        "pulse": pulse})
