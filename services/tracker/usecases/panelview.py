"""What a panel's pages and feeds show, read in one go (contract §5): the panel, its recommendations,
its commitments (due first) with every timeline entry, the panel's replies and its trust pulse.

The panel's page, its session pack, its Atom feed and its calendar all read this one snapshot, so
they cannot drift apart on which commitments a panel has or in what order. The web layer only asks:
it gets rows here and turns them into words (web/views.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.tracker.adapters.rows import CommitmentRow, PanelRow, RecommendationRow, TimelineRow
from services.tracker.adapters.store import commitments, panels, recommendations, replies, timeline
from services.tracker.usecases import pulse as pulse_uc

# The row shapes this query answers with, named here so the web layer never imports the table modules.
__all__ = ["CommitmentRow", "PanelRow", "PanelSnapshot", "RecommendationRow", "TimelineRow", "code_verifier",
           "panel_language", "panel_snapshot"]


@dataclass(frozen=True)
class PanelSnapshot:
    panel: PanelRow
    recommendations: dict[str, RecommendationRow]  # by id
    commitments: list[CommitmentRow]  # due first; only those whose recommendation is the panel's
    entries: dict[str, list[TimelineRow]]  # by commitment id, oldest first
    replies: list = field(default_factory=list)  # the panel's replies to decisions, oldest first
    pulse: list[pulse_uc.Period] = field(default_factory=list)  # the months with shown counts, oldest first
    answered: int | None = None  # this month's answers so far (when asked with `today`)

    def entries_of(self, commitment_id: str) -> list[TimelineRow]:
        return self.entries.get(commitment_id, [])

    def latest_raised(self) -> dt.date | None:
        """The latest day one of the panel's recommendations was raised (the session pack's default start)."""
        return max((r.raised_on for r in self.recommendations.values()), default=None)


def panel_snapshot(engine: Engine, slug: str, today: dt.date | None = None) -> PanelSnapshot | None:
    """The panel `slug` as its pages show it, or None if there is no such panel. With `today`, also how
    many of the panel answered this month's trust pulse so far."""
    with Session(engine) as s:
        panel = s.execute(select(panels).where(panels.c.slug == slug)).first()
        if panel is None:
            return None
        # Every list in a fixed order, ties broken by id, so each copy of the data (a replayed one too)
        # shows the same page: the panel's ideas oldest first, the promises by due date.
        recs = {r.id: r for r in s.execute(select(recommendations).where(recommendations.c.panel == slug)
                                           .order_by(recommendations.c.raised_on, recommendations.c.id)).all()}
        rows = [r for r in s.execute(select(commitments).where(commitments.c.panel == slug)
                                     .order_by(commitments.c.due, commitments.c.id)).all()
                if r.recommendation_id in recs]
        return PanelSnapshot(
            panel=panel, recommendations=recs, commitments=rows, entries=_entries(s, [r.id for r in rows]),
            replies=s.execute(select(replies).where(replies.c.panel == slug)
                              .order_by(replies.c.at, replies.c.id)).all(),
            pulse=pulse_uc.shown_periods(s, slug),
            answered=pulse_uc.answered(s, slug, pulse_uc.period_of(today)) if today else None)


def _entries(s: Session, ids: list[str]) -> dict[str, list[TimelineRow]]:
    out: dict[str, list[TimelineRow]] = {}
    if ids:
        for e in s.execute(select(timeline).where(timeline.c.commitment_id.in_(ids))
                           .order_by(timeline.c.commitment_id, timeline.c.seq)).all():
            out.setdefault(e.commitment_id, []).append(e)
    return out


def code_verifier(engine: Engine, slug: str) -> str | None:
    """The panel's current access-code verifier (what the panel's events last said), or None."""
    with engine.connect() as conn:
        return conn.execute(select(panels.c.access_code_sha256).where(panels.c.slug == slug)).scalar()


def panel_language(engine: Engine, slug: str) -> str | None:
    """The panel's language ("en", "cy", "bilingual"), read before its page is built or looked up in the
    page cache, so both speak it (docs/contract.md §8.4); None for no such panel."""
    with engine.connect() as conn:
        return conn.execute(select(panels.c.language).where(panels.c.slug == slug)).scalar()
