"""After the panel insists on a decline, the police's new response clock has its own
`response_due` ladder: each step once, on SQLite and PostgreSQL, however often the scan runs."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from schemas import parse_event
from schemas.models import DECLINE_CODES
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock, utcnow
from services.tracker.adapters.registerrows import register_rows
from services.tracker.adapters.store import notices
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap
from services.tracker.domain.counting import rates
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import replies
from services.tracker.usecases.ingest import Handlers
from tests.support.events import panel_event
from tests.support.replies import declined_event, recommendation, recorded_event


def _ingest(engine, *events):
    for event in events:
        Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))


def _keys(engine) -> list[tuple[str, list[str]]]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(notices.c.key, notices.c.recipients)).all())


def _declines(engine) -> dict[str, int]:
    """The register's count of declines by code, every code shown."""
    today = dt.date.today()
    with Session(engine) as session:
        counted = rates(register_rows(session, today), today).declines_by_code
    return {code: counted.get(code, 0) for code in DECLINE_CODES}


def test_insist_gives_the_police_a_new_clock_with_its_own_response_due_ladder(engine):
    clock = SimulatedClock(utcnow())
    clock.set_day(clock.today())
    tracker = bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False)
    start = clock.today()
    rec = recommendation("clock", raised_on=start - dt.timedelta(days=70))
    # Pending first and escalated (round 1's two notices), then declined.
    _ingest(engine, panel_event("clock"), recorded_event("clock", start - dt.timedelta(days=20), rec))
    assert len(tracker.scanner.run().notices) == 1  # first seen late: one notice, the highest step reached
    _ingest(engine, declined_event("clock", rec, code="no_budget"))
    assert _declines(engine) == {"no_power": 0, "no_budget": 1, "legal_or_safety": 0,
                                                "not_workable": 0, "other": 0}
    done = replies.reply(SqlStorage(engine), clock, tracker.policies, tracker.recorder, str(rec.id), reply="insist",
                         comment="Please think again.")
    assert done.respond_by == start + dt.timedelta(days=56)
    assert _declines(engine)["no_budget"] == 0  # pending again until the police decide anew
    ladder = ["s-clock@example.org"]
    seen = [("insisted:1:r2", ["lead-clock@example.org", "s-clock@example.org"]), ("response_due:2", ladder + [
        "l-clock@example.org"])]
    assert _keys(engine) == sorted(seen)
    for day in range(0, 80):  # every day for 80 days, twice a day
        clock.set_day(start + dt.timedelta(days=day))
        tracker.scanner.run()
        tracker.scanner.run()
    first = done.respond_by + dt.timedelta(days=1)
    with engine.connect() as conn:
        found = {k: d for k, d in conn.execute(sa.select(notices.c.key, notices.c.decided_at))}
    assert sorted(found) == sorted(["insisted:1:r2", "response_due:2", "response_due:1:r2", "response_due:2:r2"])
    assert found["response_due:1:r2"].date() == first
    assert found["response_due:2:r2"].date() == first + dt.timedelta(days=14)
