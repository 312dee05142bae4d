"""The trust pulse at the edge (contract §5): `POST /api/v1/panels/{slug}/pulse` {access_code, trust, kept},
the same answer as a form on the panel's page, and the small chart the pages show once a month has
shown counts. An answer carries no name and no free text; the panel's access code is checked like a
verdict's (limited per client), and the POSTs are rate limited like verdicts (`ratelimit.py`).

A browser answers once per panel and month: the form sets a signed cookie naming the month, and the
form and the API both refuse a second answer from a browser that sends it. It stops a panel member
answering twice by mistake or by a second press, not someone set on it (who clears cookies); that is
why the pages also say how many answered, so a stuffed month shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from fastapi import APIRouter, Request, Response
from itsdangerous import BadSignature
from pydantic import BaseModel

from schemas.models import PULSE_MIN_ANSWERS
from services.common.i18n import N_, language
from services.common.problems import ALREADY_ANSWERED
from services.common.settings import secret
from services.common.signing import timed_serializer
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.web.bodies import PulseIn
from services.tracker.web.forms import client_of

router = APIRouter()
PROBLEM = {"content": {"application/problem+json": {}}}
COOKIE, COOKIE_DAYS = "ft_pulse", 62  # longer than any month, so the month's answer is remembered to its end
ANSWERED_HERE = N_("You have already answered this month on this phone or computer, so we did not count it "
                    "again. Thank you: you can answer again next month.")


class PulseOut(BaseModel):
    panel: str
    period: str
    answers: int
    shown: bool


@router.post("/api/v1/panels/{slug}/pulse", response_model=PulseOut, status_code=201,
             responses={403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM, 429: PROBLEM},
             summary="One anonymous trust-pulse answer from a panel member (needs the panel's access code; "
                     "409 if the request carries the cookie of this month's answer from the panel's page)")
def post_pulse(slug: str, body: PulseIn, request: Request) -> PulseOut:
    state = request.app.state
    refuse_if_answered_here(request, slug)
    state.access.check_panel(slug, body.access_code, client_of(request))
    counts = pulse_uc.record(state.storage, state.clock, slug, body.trust, body.kept)
    state.after_write()
    return PulseOut(panel=slug, period=counts.period, answers=counts.answers, shown=counts.shown)


def _serializer(request: Request):
    state = request.app.state
    return timed_serializer(secret(state.settings.followthrough_secret_key), "followthrough.pulse-answered",
                            state.clock)


def _answered_here(request: Request) -> dict[str, str]:
    """The month this browser last answered in, by panel: only from a cookie we signed."""
    try:
        value = _serializer(request).loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_DAYS * 86400)
    except BadSignature:
        return {}
    return value if isinstance(value, dict) else {}


def refuse_if_answered_here(request: Request, slug: str) -> None:
    period = pulse_uc.period_of(request.app.state.clock.today())
    if _answered_here(request).get(slug) == period:
        raise ALREADY_ANSWERED(ANSWERED_HERE)


def remember_answered_here(request: Request, response: Response, slug: str, period: str) -> Response:
    """Adds this panel's month to the browser's cookie; other panels' months that have ended are dropped."""
    months = {panel: p for panel, p in _answered_here(request).items() if p == period} | {slug: period}
    public_url = request.app.state.settings.public_url.lower()
    response.set_cookie(COOKIE, _serializer(request).dumps(months), max_age=COOKIE_DAYS * 86400, path="/",
                        httponly=True, samesite="strict", secure=public_url.startswith("https://"))
    return response


@dataclass
class PulseView:
    """What the pages show: the months with shown counts, as bars of a small chart and as words, and (on
    a panel's pages) how many of the panel answered this month so far."""

    months: list[dict]
    answered: int | None = None
    month: str = ""
    min_answers: int = PULSE_MIN_ANSWERS

    @property
    def latest(self) -> dict | None:
        return self.months[-1] if self.months else None


CHART_W, CHART_H, SLOT = 240, 60, 40


def pulse_view(periods: list[pulse_uc.Period], today: dt.date | None = None,
               answered: int | None = None) -> PulseView:
    """The months with shown counts (one panel's, or every panel's for the register); with `today` and
    `answered`, how many of the panel answered this month so far."""
    months = []
    for i, p in enumerate(periods):
        h = round(CHART_H * p.mean_trust / 5, 1)
        months.append({
            "label": _month(p.period), "period": p.period, "answers": p.answers, "counted": p.counted,
            "trust": f"{p.mean_trust:.1f}", "yes": p.kept["yes"], "yes_percent": p.kept_yes_percent,
            "x": i * SLOT + 6, "w": SLOT - 12, "h": h, "y": round(CHART_H - h, 1),
        })
    if today is None or answered is None:
        return PulseView(months=months)
    return PulseView(months=months, answered=answered, month=_month(pulse_uc.period_of(today)))


def _month(period: str) -> str:
    """`December 2026` / `Rhagfyr 2026`, in the page's language."""
    year, month = period.split("-")
    return format_date(dt.date(int(year), int(month), 1), "LLLL y", locale=language())
