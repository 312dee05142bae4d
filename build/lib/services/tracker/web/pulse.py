"""The trust pulse at the edge (SPEC §5): `POST /api/v1/panels/{slug}/pulse` {access_code, trust, kept},
the same answer as a form on the panel's page, and the small chart the pages show once a month has
enough answers. An answer carries no name and no free text; the panel's access code is checked like a
verdict's (limited per client), and the POSTs are rate limited like verdicts (`ratelimit.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from schemas.models import PULSE_MIN_ANSWERS
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.web.forms import client_of
from services.tracker.web.requests import PulseIn

router = APIRouter()
PROBLEM = {"content": {"application/problem+json": {}}}


class PulseOut(BaseModel):
    panel: str
    period: str
    answers: int
    shown: bool


@router.post("/api/v1/panels/{slug}/pulse", response_model=PulseOut, status_code=201,
             responses={403: PROBLEM, 404: PROBLEM, 422: PROBLEM, 429: PROBLEM},
             summary="One anonymous trust-pulse answer from a panel member (needs the panel's access code)")
def post_pulse(slug: str, body: PulseIn, request: Request) -> PulseOut:
    state = request.app.state
    state.access.check_panel(slug, body.access_code, client_of(request))
    counts = pulse_uc.record(state.engine, state.clock, slug, body.trust, body.kept)
    state.after_write()
    return PulseOut(panel=slug, period=counts.period, answers=counts.answers, shown=counts.shown)


@dataclass
class PulseView:
    """What the pages show: the months with enough answers, as bars of a small chart and as words."""

    months: list[dict]
    min_answers: int = PULSE_MIN_ANSWERS

    @property
    def latest(self) -> dict | None:
        return self.months[-1] if self.months else None


CHART_W, CHART_H, SLOT = 240, 60, 40


def pulse_view(session: Session, panel: str | None = None) -> PulseView:
    """`panel` None: every panel together (the register)."""
    months = []
    for i, p in enumerate(pulse_uc.shown_periods(session, panel)):
        h = round(CHART_H * p.mean_trust / 5, 1)
        months.append({
            "label": _month(p.period), "period": p.period, "answers": p.answers,
            "trust": f"{p.mean_trust:.1f}", "yes": p.kept["yes"], "yes_percent": p.kept_yes_percent,
            "x": i * SLOT + 6, "w": SLOT - 12, "h": h, "y": round(CHART_H - h, 1),
        })
    return PulseView(months=months)


def _month(period: str) -> str:
    year, month = period.split("-")
    return f"{dt.date(int(year), int(month), 1):%B %Y}"
