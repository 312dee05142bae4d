"""A person's portfolio read from the tracker's tables (`GET /me`): first the few columns that place
every one of their commitments (who they are on it, its status and dates), then the whole rows of
the one page shown. A board member's force is thousands of rows; the page is 25."""

from __future__ import annotations

from sqlalchemy import Engine, func, or_, select

from services.tracker.adapters.rows import CommitmentRow
from services.tracker.adapters.store import commitments, recommendations
from services.tracker.domain.model import next_update_by
from services.tracker.domain.portfolio import ROLES, Item, roles_of

c = commitments.c
# Who is who on a row, lower-cased in the database: a ladder is matched as it was stored (contract §8.1).
WHO = {"owner": func.lower(c.owner_email),
       **{role: func.lower(c.escalation[role].as_string()) for role in ROLES[1:]}}


class SqlPortfolio:
    """The `PortfolioStore` on the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def items(self, email: str, *, panel: str | None = None, status: str | None = None,
              role: str | None = None) -> list[Item]:
        me = email.strip().lower()
        q = select(c.id, c.panel, c.status, c.due, c.requested_due, c.last_update_on, c.agreed_on, c.reopened_on,
                   c.update_every_days, *(who.label(r) for r, who in WHO.items()))
        q = q.where(WHO[role] == me if role else or_(*(who == me for who in WHO.values())))
        if panel:
            q = q.where(c.panel == panel)
        if status:
            q = q.where(c.status == status)
        with self._engine.connect() as conn:
            return [_item(me, r) for r in conn.execute(q)]

    def panels(self, email: str) -> list[str]:
        me = email.strip().lower()
        q = select(c.panel).distinct().where(or_(*(who == me for who in WHO.values()))).order_by(c.panel)
        with self._engine.connect() as conn:
            return list(conn.execute(q).scalars())

    def rows(self, ids: list[str]) -> dict[str, tuple[CommitmentRow, str]]:
        """Each commitment's row and its recommendation's title, by id."""
        if not ids:
            return {}
        q = (select(commitments, recommendations.c.title.label("said"))
             .join(recommendations, recommendations.c.id == c.recommendation_id).where(c.id.in_(ids)))
        with self._engine.connect() as conn:
            return {r.id: (r, r.said) for r in conn.execute(q)}


def _item(me: str, r) -> Item:
    return Item(id=r.id, roles=roles_of(me, r.owner, r.supervisor, r.senior_lead, r.board), status=r.status,
                due=r.due, requested_due=r.requested_due, panel=r.panel,
                next_update_by=next_update_by(r.status, r.last_update_on, r.agreed_on, r.reopened_on,
                                              r.update_every_days))
