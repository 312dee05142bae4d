"""The scrutiny report (docs/contract.md §8.2) for a period, for the force, one panel or one area:
read in one go, then counted by domain/report.py. The web layer and the PDF only ask."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.tracker.adapters.reportrows import known_panels, report_inputs
from services.tracker.domain import report as figures
from services.tracker.domain.reportperiod import FORMS, BadPeriod, ReportPeriod, parse_period
from services.tracker.usecases.errors import NotFound


def period_of(text: str) -> ReportPeriod:
    """The period named in an address; NotFound, naming the three forms, when it is none of them."""
    try:
        return parse_period(text)
    except BadPeriod as e:
        raise NotFound(str(e), field="period", fix=f"Use {FORMS}.") from None


def build_report(engine: Engine, period: ReportPeriod, today: dt.date, *, panel: str | None = None,
                 area: str | None = None) -> figures.Report:
    with Session(engine) as s:
        areas = known_panels(s)
        chosen = _chosen(areas, panel, area)
        inputs = report_inputs(s, period, today, chosen)
    return figures.build(period, today, inputs.rows, inputs.themes, inputs.redatings, inputs.board, inputs.pulse,
                         panel=panel, area=area)


def _chosen(areas: dict[str, str], panel: str | None, area: str | None) -> set[str]:
    if panel is not None and panel not in areas:
        raise NotFound(f"There is no panel {panel[:64]!r}; check the panel's slug in the address.", field="panel",
                       fix="Use a panel's slug, as in its page's address (/panels/<slug>).")
    if area is not None and area not in areas.values():
        # Not echoed: an area is free text, and a page on our address must not say what a link's author wrote.
        raise NotFound("There is no area of that name with a panel; check its spelling.", field="area",
                       fix="Use an area as the register shows it.")
    return {slug for slug, a in areas.items() if (panel is None or slug == panel) and (area is None or a == area)}
