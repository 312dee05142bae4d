"""Yes in principle on the tracker's tables (SQLite and PostgreSQL): it still owes an answer, by decide_by;
past it the response_due ladder runs, each step once however often the scan runs, even when the first
deadline's notice went out before police said yes in principle. Agreeing stops it."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa

from schemas import Recommendation, RecommendationRecorded, make_event, parse_event
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock, utcnow
from services.tracker.adapters.store import notices, recommendations
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.ingest import Handlers
from tests.support.events import panel_event

REASON = "We like it. We need the money first."


def _handle(engine, clock, event: dict) -> None:
    event = {**event, "time": clock.now().isoformat()}
    Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))


def _recorded(rec: Recommendation, respond_by: dt.date, **principle) -> dict:
    return make_event("recommendation.recorded", str(rec.id),
                      RecommendationRecorded(recommendation=rec, respond_by=respond_by, **principle), source="test")


def _told(engine) -> list[tuple[str, list[str]]]:
    with engine.connect() as conn:
        return [tuple(x) for x in conn.execute(sa.select(notices.c.key, notices.c.recipients)
                                               .order_by(notices.c.decided_at, notices.c.key)).all()]


def test_past_decide_by_the_supervisor_is_told_once_after_the_first_clock_ran(engine):
    clock = SimulatedClock(utcnow())
    today = clock.today()
    scanner = bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False).scanner
    rec = Recommendation(id=uuid.uuid4(), panel="panel-ip", raised_on=today - dt.timedelta(days=10),
                         title="Youth workers at every station", detail="", themes=["trust"])
    _handle(engine, clock, panel_event("ip"))
    _handle(engine, clock, _recorded(rec, today - dt.timedelta(days=3)))
    scanner.run()
    assert _told(engine) == [("response_due:1", ["s-ip@example.org"])]

    decide_by = today + dt.timedelta(days=5)
    _handle(engine, clock, _recorded(rec, decide_by, decision="in_principle", reason=REASON, decide_by=decide_by))
    with engine.connect() as conn:
        t = recommendations.c
        row = conn.execute(sa.select(t.decision, t.principle_reason, t.decide_by, t.respond_by,
                                     t.next_action_on)).one()
    assert tuple(row) == ("in_principle", REASON, decide_by, today - dt.timedelta(days=3), decide_by)
    for _ in range(5):  # up to decide_by: nothing more
        clock.advance(dt.timedelta(days=1))
        scanner.run()
    assert len(_told(engine)) == 1

    clock.advance(dt.timedelta(days=1))
    for _ in range(3):
        scanner.run()
    assert _told(engine)[1:] == [("response_due:1:p", ["s-ip@example.org"])]
    clock.advance(dt.timedelta(days=14))
    scanner.run()
    scanner.run()
    assert _told(engine)[2:] == [("response_due:2:p", ["s-ip@example.org", "l-ip@example.org"])]


def test_recorded_in_principle_past_its_decide_by_is_escalated_at_once_and_a_repeat_changes_nothing(engine):
    clock = SimulatedClock(utcnow())
    today = clock.today()
    scanner = bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False).scanner
    rec = Recommendation(id=uuid.uuid4(), panel="panel-ip2", raised_on=today - dt.timedelta(days=60),
                         title="Youth workers at every station", detail="", themes=["trust"])
    decide_by = today - dt.timedelta(days=4)
    event = _recorded(rec, decide_by, decision="in_principle", reason=REASON, decide_by=decide_by)
    _handle(engine, clock, panel_event("ip2"))
    _handle(engine, clock, event)
    _handle(engine, clock, event)  # redelivered: applied once
    scanner.run()
    scanner.run()
    assert _told(engine) == [("response_due:1:p", ["s-ip2@example.org"])]
    with engine.connect() as conn:
        (reason,) = conn.execute(sa.select(notices.c.reason)).one()
    assert "yes in principle" in reason and f"{decide_by:%d %B %Y}" in reason
