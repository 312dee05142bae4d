"""The panel's access code, with wrong attempts limited per client.

Attempts are counted per (panel, client), so a stranger typing wrong codes
locks out only themselves, never the panel. The client is kept only as a
keyed hash of its address, and only for the counting window. The count is
one row per (panel, client), counted up in one SQL statement, so replicas
(or threads) racing each other lock at the same count as one at a time.
A lock still costs the panel time, so a lock gives that panel's commitments
waiting for its check one more day before silence counts as "kept": once
per panel per day, however many clients lock themselves out that day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common import accesscode
from services.common.clock import Clock
from services.common.db import insert_once
from services.tracker.adapters.store import access_failures, commitments, lock_extensions, panels, recommendations
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
            session.execute(delete(access_failures).where(access_failures.c.until <= now))
            limited = _failures(session, panel, client, now) >= self.allowed
        # The slow hash (tens of milliseconds) runs outside any transaction, so it holds no lock;
        # the count below refuses past the limit by itself, so nothing is lost by the split.
        wrong = not limited and not accesscode.matches(code, code_digest)
        if wrong:  # counted, and committed, before we answer
            with Session(self.engine) as session, session.begin():
                failures = _count_failure(session, panel, client, now, self.allowed)
                if failures is None:  # a racing request took the last attempt
                    limited, wrong = True, False
                elif failures == self.allowed:
                    _extend_confirmation_windows(session, panel, clock.today())
        if limited:
            raise TooManyAttempts("Wait 15 minutes, then try again with the code your youth worker gave you.",
                                  retry_after=int(WINDOW.total_seconds()))
        if wrong:
            raise WrongCode("This access code is not right for this panel. Ask your youth worker for it.",
                            field="access_code", fix="Use the panel's access code, exactly as given.")


def _failures(session: Session, panel: str, client: str, now: dt.datetime) -> int:
    t = access_failures
    return session.execute(
        select(t.c.failures).where(t.c.panel == panel, t.c.client == client, t.c.until > now)).scalar() or 0


def _count_failure(session: Session, panel: str, client: str, now: dt.datetime, allowed: int) -> int | None:
    """One more wrong code for (panel, client), in one statement; None if the limit was reached first.

    A row past its time starts again at 1; the wrong code that reaches the limit starts a full
    WINDOW of lock, as the answer says."""
    t, until = access_failures, now + WINDOW
    expired = t.c.until <= now
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(t).values(panel=panel, client=client, failures=1, until=until).on_conflict_do_update(
        index_elements=[t.c.panel, t.c.client],
        set_={"failures": case((expired, 1), else_=t.c.failures + 1),
              "until": case((expired | (t.c.failures + 1 >= allowed), until), else_=t.c.until)},
        where=expired | (t.c.failures < allowed))
    return session.execute(stmt.returning(t.c.failures)).scalar()


def _extend_confirmation_windows(session: Session, panel: str, today: dt.date) -> None:
    """A lock must not run out the panel's time to check "done": one more day (the window's unit),
    once per panel per day; the key (panel, day) decides, so racing locks extend once."""
    session.execute(delete(lock_extensions).where(lock_extensions.c.panel == panel, lock_extensions.c.day < today))
    if insert_once(session, lock_extensions, panel=panel, day=today):
        session.execute(update(commitments).where(commitments.c.panel == panel, commitments.c.status == "done")
                        .values(confirm_extra_days=commitments.c.confirm_extra_days + 1, next_action_on=today))
