"""Rows counted up in one INSERT .. ON CONFLICT DO UPDATE statement, so replicas (or threads)
racing each other count as one would: wrong access codes per (panel, client), hits per client and
clock window, and the trust pulse's answers per (panel, month). The unit of work's repositories
for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common.db import insert_once
from services.tracker.adapters.store import PULSE_COUNTS, access_failures, lock_extensions, pulse, rate_windows


def _dialect(session: Session):
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


class AccessFailures:
    def __init__(self, session: Session) -> None:
        self.session = session

    def forget_expired(self, now: dt.datetime) -> None:
        self.session.execute(delete(access_failures).where(access_failures.c.until <= now))

    def failures(self, panel: str, client: str, now: dt.datetime) -> int:
        t = access_failures
        return self.session.execute(select(t.c.failures).where(t.c.panel == panel, t.c.client == client,
                                                               t.c.until > now)).scalar() or 0

    def count(self, panel: str, client: str, now: dt.datetime, until: dt.datetime, allowed: int) -> int | None:
        t = access_failures
        expired = t.c.until <= now
        stmt = _dialect(self.session).insert(t).values(panel=panel, client=client, failures=1, until=until)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.panel, t.c.client],
            set_={"failures": case((expired, 1), else_=t.c.failures + 1),
                  "until": case((expired | (t.c.failures + 1 >= allowed), until), else_=t.c.until)},
            where=expired | (t.c.failures < allowed))
        return self.session.execute(stmt.returning(t.c.failures)).scalar()

    def first_lock_today(self, panel: str, today: dt.date) -> bool:
        # The key (panel, day) decides, so racing locks count once; older days are no longer needed.
        t = lock_extensions
        self.session.execute(delete(t).where(t.c.panel == panel, t.c.day < today))
        return insert_once(self.session, t, panel=panel, day=today)


class RateWindows:
    def __init__(self, session: Session) -> None:
        self.session = session

    def forget_expired(self, now: dt.datetime) -> None:
        self.session.execute(delete(rate_windows).where(rate_windows.c.until <= now))

    def hits(self, rule: str, client: str, bucket: int) -> int:
        t = rate_windows
        return self.session.execute(select(t.c.hits).where(t.c.rule == rule, t.c.client == client,
                                                            t.c.bucket == bucket)).scalar() or 0

    def count(self, rule: str, client: str, bucket: int, fits: int, until: dt.datetime) -> bool:
        t = rate_windows
        stmt = _dialect(self.session).insert(t).values(rule=rule, client=client, bucket=bucket, hits=1, until=until)
        stmt = stmt.on_conflict_do_update(index_elements=[t.c.rule, t.c.client, t.c.bucket],
                                          set_={"hits": t.c.hits + 1}, where=t.c.hits < fits)
        return self.session.execute(stmt.returning(t.c.hits)).first() is not None


class Pulse:
    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self, panel: str, period: str, trust: int, kept: str) -> Any:
        c, this = pulse.c, (pulse.c.panel == panel, pulse.c.period == period)
        self.session.execute(_dialect(self.session).insert(pulse).values(panel=panel, period=period)
                             .on_conflict_do_nothing())
        # The update holds the row's lock until commit, so no other answer comes between reading and moving.
        self.session.execute(update(pulse).where(*this).values({
            c.answers: c.answers + 1, c[f"trust_{trust}"]: c[f"trust_{trust}"] + 1,
            c[f"kept_{kept}"]: c[f"kept_{kept}"] + 1}))
        return self.session.execute(select(pulse).where(*this)).one()

    def show(self, panel: str, period: str) -> Any:
        c, this = pulse.c, (pulse.c.panel == panel, pulse.c.period == period)
        # shown_answers is how many answers the shown counts hold (each answer has one "kept"), not all answers.
        shown = {c[f"shown_{n}"]: c[n] for n in PULSE_COUNTS if n != "answers"}
        shown[c.shown_answers] = c.kept_yes + c.kept_no + c.kept_not_sure
        self.session.execute(update(pulse).where(*this).values(shown))
        return self.session.execute(select(pulse).where(*this)).one()
