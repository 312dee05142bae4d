"""What the board's report says about one panel this quarter (contract §8.2), in the panel's words, on
its page and its session pack (`_report_summary.html`), with a link to the whole report. The pages'
templates call `report_summary(slug)`, installed here once the tracker's database is known, so the
pages' own code need not change; where it is not installed (a template rendered alone) the block is left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

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


def panel_quarter(engine, slug: str, today: dt.date) -> PanelQuarter:
    period = quarter(today)
    report = build_report(engine, period_of(period), today, panel=slug)
    t = report.total
    return PanelQuarter(period=period, url=f"/reports/{period}?panel={slug}", raised=t.raised, agreed=t.agreed,
                        in_principle=t.in_principle, declined=t.declined, kept_confirmed=t.kept_confirmed,
                        kept_unchecked=t.kept_unchecked, late=t.late, redated=len(report.redated),
                        board=len(report.board))


def install(templates, engine, today: Callable[[], dt.date]) -> None:
    """`report_summary(slug)` in every tracker template, over this process's database."""
    templates.env.globals["report_summary"] = lambda slug: panel_quarter(engine, slug, today())
