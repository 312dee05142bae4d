"""What the scrutiny report (domain/report.py) reads from the tracker's tables, narrowed to a panel or an
area: the register's rows with who kept each kept promise, each recommendation's themes, every re-dating
(the timeline's `extended` entries), the board's notices, and the published trust pulse by month.
Nothing read here carries an email address: owners are named by role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from schemas.models import PULSE_MIN_ANSWERS
from services.common.clock import london_today
from services.tracker.adapters.registerrows import register_rows
from services.tracker.adapters.store import commitments, notices, panels, pulse, recommendations, timeline
from services.tracker.domain.counting import Row
from services.tracker.domain.report import BoardNotice, PulseMonth, Redating
from services.tracker.domain.reportperiod import ReportPeriod

BOARD_LEVEL = 3  # the ladder's top step (domain/ladder.py UP_TO[3]) is the one that tells the board


@dataclass(frozen=True)
class ReportInputs:
    rows: list[Row]
    themes: dict[str, tuple[str, ...]]
    redatings: list[Redating]
    board: list[BoardNotice]
    pulse: dict[str, PulseMonth]


def known_panels(session: Session) -> dict[str, str]:
    """panel slug -> area."""
    return dict(session.execute(select(panels.c.slug, panels.c.area)).all())


def report_inputs(session: Session, period: ReportPeriod, today: dt.date, chosen: set[str]) -> ReportInputs:
    """Everything for the panels in `chosen` (slugs)."""
    areas = known_panels(session)
    rows = register_rows(session, today, panels_in=chosen)
    return ReportInputs(rows=rows, themes=_themes(session, chosen), redatings=_redatings(session, chosen, areas),
                        board=_board(session, period, chosen, areas), pulse=_pulse(session, period, chosen))


def _themes(session: Session, chosen: set[str]) -> dict[str, tuple[str, ...]]:
    r = recommendations.c
    return {rid: tuple(themes or ()) for rid, themes in
            session.execute(select(r.id, r.themes).where(r.panel.in_(chosen))).all()}


def _redatings(session: Session, chosen: set[str], areas: dict[str, str]) -> list[Redating]:
    t, c = timeline.c, commitments.c
    query = (select(t.commitment_id, t.at, t.entry, c.panel, c.owner_role, c.action)
             .join(commitments, c.id == t.commitment_id)
             .where(t.kind == "extended", c.panel.in_(chosen)).order_by(t.at, t.seq))
    return [Redating(commitment_id=x.commitment_id, panel=x.panel, area=areas.get(x.panel, x.panel),
                     owner_role=x.owner_role, on=london_today(x.at), old=dt.date.fromisoformat(x.entry["from"]),
                     new=dt.date.fromisoformat(x.entry["to"]), reason=x.entry.get("reason") or "",
                     approver=x.entry.get("approved_by") or "owner", action=x.action)
            for x in session.execute(query).all()]


def _board(session: Session, period: ReportPeriod, chosen: set[str], areas: dict[str, str]) -> list[BoardNotice]:
    n, c = notices.c, commitments.c
    query = (select(n.commitment_id, n.decided_at, n.kind, n.level, c.panel, c.owner_role, c.action)
             .join(commitments, c.id == n.commitment_id)
             .where(n.kind == "escalation", n.level >= BOARD_LEVEL, c.panel.in_(chosen))
             .order_by(n.decided_at))
    found = [BoardNotice(commitment_id=x.commitment_id, panel=x.panel, area=areas.get(x.panel, x.panel),
                         owner_role=x.owner_role, on=london_today(x.decided_at), kind=x.kind, level=x.level,
                         action=x.action)
             for x in session.execute(query).all()]
    return [b for b in found if period.holds(b.on)]


def _pulse(session: Session, period: ReportPeriod, chosen: set[str]) -> dict[str, PulseMonth]:
    """The published steps only (the shown counts), of each panel's months that have them."""
    p = pulse.c
    trust = sum(n * p[f"shown_trust_{n}"] for n in range(1, 6))
    query = (select(p.period, func.sum(p.shown_answers), func.sum(trust), func.sum(p.shown_kept_yes))
             .where(and_(p.panel.in_(chosen), p.period.in_(period.months()), p.shown_answers >= PULSE_MIN_ANSWERS))
             .group_by(p.period))
    return {month: PulseMonth(int(counted), int(total), int(yes)) for month, counted, total, yes in
            session.execute(query).all()}
