"""The panel's access code, with wrong attempts limited per client.

Attempts are counted per (panel, client), so a stranger typing wrong codes
locks out only themselves, never the panel. The client is kept only as a
keyed hash of its address, and only for the counting window. A lock still
costs the panel time, so each lock gives that panel's commitments waiting
for its check one more day before silence counts as "kept".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from services.common import accesscode
from services.common.clock import Clock
from services.tracker.adapters.store import access_failures, commitments, panels, recommendations
from services.tracker.usecases.errors import NotFound, TooManyAttempts, WrongCode

ALLOWED = 10
WINDOW = dt.timedelta(minutes=15)


class AccessCodes:
    """Checks a panel's access code; `allowed` wrong codes per client per WINDOW."""

    def __init__(self, engine: Engine, clock: Clock, allowed: int = ALLOWED) -> None:
        self.engine, self.clock, self.allowed = engine, clock, allowed

    def check(self, commitment_id: str, code: str, client: str) -> None:
        """The code of the panel that `commitment_id` belongs to (a verdict, a reopening)."""
        self._check_owner_of(commitments, commitment_id, "commitment", code, client)

    def check_recommendation(self, recommendation_id: str, code: str, client: str) -> None:
        """The code of the panel that made `recommendation_id` (its reply to a decision)."""
        self._check_owner_of(recommendations, recommendation_id, "recommendation", code, client)

    def _check_owner_of(self, table, row_id: str, what: str, code: str, client: str) -> None:
        with Session(self.engine) as session:
            found = session.execute(select(table.c.panel, panels.c.access_code_sha256)
                                    .join(panels, panels.c.slug == table.c.panel, isouter=True)
                                    .where(table.c.id == row_id)).first()
        if found is None:
            raise NotFound(f"There is no {what} {row_id}; check the id.")
        self._check(found[0], found[1], code, client)

    def check_panel(self, slug: str, code: str, client: str) -> None:
        """The code of the panel `slug` itself (the trust pulse); counted with the same limit."""
        with Session(self.engine) as session:
            found = session.execute(select(panels.c.access_code_sha256).where(panels.c.slug == slug)).first()
        if found is None:
            raise NotFound(f"There is no panel {slug}; check the link you were given.")
        self._check(slug, found[0], code, client)

    def _check(self, panel: str, code_digest: str | None, code: str, client: str) -> None:
        clock = self.clock
        now = clock.now()
        with Session(self.engine) as session, session.begin():
            session.execute(delete(access_failures).where(access_failures.c.at <= now - WINDOW))
            limited = _failures(session, panel, client, now) >= self.allowed
            wrong = not limited and not accesscode.matches(code, code_digest)
            if wrong:  # committed before we answer
                session.execute(access_failures.insert().values(panel=panel, client=client, at=now))
                if _failures(session, panel, client, now) == self.allowed:
                    _extend_confirmation_windows(session, panel, clock.today())
        if limited:
            raise TooManyAttempts("Wait 15 minutes, then try again with the code your youth worker gave you.",
                                  retry_after=int(WINDOW.total_seconds()))
        if wrong:
            raise WrongCode("This access code is not right for this panel. Ask your youth worker for it.",
                            field="access_code", fix="Use the panel's access code, exactly as given.")


def _failures(session: Session, panel: str, client: str, now: dt.datetime) -> int:
    return session.execute(
        select(func.count()).select_from(access_failures)
        .where(access_failures.c.panel == panel, access_failures.c.client == client,
               access_failures.c.at > now - WINDOW)
    ).scalar()


def _extend_confirmation_windows(session: Session, panel: str, today: dt.date) -> None:
    """A lock must not run out the panel's time to check "done": one more day (the window's unit)."""
    session.execute(update(commitments).where(commitments.c.panel == panel, commitments.c.status == "done")
                    .values(confirm_extra_days=commitments.c.confirm_extra_days + 1, next_action_on=today))
