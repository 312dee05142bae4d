"""The check of a panel's hash chains (contract §3): its replies to decisions and its trust pulse's
published steps, recomputed, and the stored rows its pages read compared with them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from schemas.models import PULSE_MIN_ANSWERS
from services.tracker.adapters import panel_chain
from services.tracker.adapters.store import panels
from services.tracker.domain import panelchain
from services.tracker.usecases.errors import NotFound


def audit(engine: Engine, panel: str) -> dict[str, Any]:
    """Whether everything the panel said and was shown is intact, and where it breaks if not."""
    with Session(engine) as s:
        chains = panel_chain.chains(s, panel)
        if not chains and s.execute(select(panels.c.slug).where(panels.c.slug == panel)).first() is None:
            raise NotFound(f"There is no panel {panel}; check the link you were given.")
        return panelchain.audit(panel, chains, panel_chain.stored_replies(s, panel),
                                panel_chain.shown_steps(s, panel, PULSE_MIN_ANSWERS))
