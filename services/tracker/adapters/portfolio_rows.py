"""A person's portfolio read from the tracker's tables (`GET /me`): first the few columns that place
every one of their commitments (who they are on it, its status and dates), then the whole rows of
the one page shown. A board member's force is thousands of rows; the page is 25."""

from __future__ import annotations

import json

from sqlalchemy import Engine, Text, cast, func, or_, select

from services.tracker.adapters.rows import CommitmentRow
from services.tracker.adapters.store import commitments, recommendations
from services.tracker.domain.model import next_update_by
from services.tracker.domain.portfolio import ROLES, Item, roles_of

c = commitments.c


class SqlPortfolio:
    """The `PortfolioStore` on the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def items(self, email: str) -> list[Item]:
        """Every commitment the person owns or is on the ladder of. The ladder is one JSON column: the
        database keeps only rows whose text holds the address (one cheap scan, whatever the case), and
        the exact match, role by role, is made here on the parsed ladder (contract §8.1)."""
        me = email.strip().lower()
        inside = json.dumps(me)[1:-1]  # the address as the JSON text spells it
        pattern = "%" + inside.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = (select(c.id, c.panel, c.status, c.due, c.requested_due, c.last_update_on, c.agreed_on, c.reopened_on,
                    c.update_every_days, c.owner_email, c.escalation)
             .where(or_(func.lower(c.owner_email) == me, cast(c.escalation, Text).ilike(pattern, escape="\\"))))
        with self._engine.connect() as conn:
            found = (_item(me, r) for r in conn.execute(q))
            return [i for i in found if i.roles]

    def rows(self, ids: list[str]) -> dict[str, tuple[CommitmentRow, str]]:
        """Each commitment's row and its recommendation's title, by id."""
        if not ids:
            return {}
        q = (select(commitments, recommendations.c.title.label("said"))
             .join(recommendations, recommendations.c.id == c.recommendation_id).where(c.id.in_(ids)))
        with self._engine.connect() as conn:
            return {r.id: (r, r.said) for r in conn.execute(q)}


def _item(me: str, r) -> Item:
    ladder = r.escalation if isinstance(r.escalation, dict) else {}
    return Item(id=r.id, roles=roles_of(me, r.owner_email, *(ladder.get(role) for role in ROLES[1:])),
                status=r.status, due=r.due, requested_due=r.requested_due, panel=r.panel,
                next_update_by=next_update_by(r.status, r.last_update_on, r.agreed_on, r.reopened_on,
                                              r.update_every_days))
