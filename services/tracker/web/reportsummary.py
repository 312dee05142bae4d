"""What the board's report says about one panel this quarter (contract §8.2), in the panel's words, on
its page and its session pack (`_report_summary.html`), with a link to the whole report. Each page asks
for it with its own database, as it asks for everything else it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.tracker.usecases.errors import NotFound
from services.tracker.usecases.reportview import build_report, period_of


@dataclass(frozen=True)
class PanelQuarter:
    period: str  # 2026-Q4
    url: str
    raised: int
    agreed: int
    in_principle: int
    declined: int
    kept_confirmed: int
    kept_unchecked: int
    late: int
    redated: int
    board: int


def quarter(today: dt.date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def panel_quarter(engine, slug: str, today: dt.date) -> PanelQuarter | None:
    """None for a panel the tracker has commitments of but no registration yet (events may come in that
    order): its page shows everything else, and the report's block once the panel is known."""
    period = quarter(today)
    try:
        report = build_report(engine, period_of(period), today, panel=slug)
    except NotFound:
        return None
    t = report.total
    return PanelQuarter(period=period, url=f"/reports/{period}?panel={slug}", raised=t.raised, agreed=t.agreed,
                        in_principle=t.in_principle, declined=t.declined, kept_confirmed=t.kept_confirmed,
                        kept_unchecked=t.kept_unchecked, late=t.late, redated=len(report.redated),
                        board=len(report.board))
