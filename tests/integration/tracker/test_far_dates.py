"""A far deadline that still reaches the tracker (an event on a topic is no request model: an
older intake, another producer) neither parks the scan's row nor breaks the panel's calendar."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common import problems
from services.common.clock import SYSTEM, utcnow
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.ingest import Handlers
from services.tracker.web import feeds
from tests.support.events import agreed_event, panel_event


def test_a_deadline_of_9999_12_31_is_scanned_and_shown_on_the_calendar(engine, uid):
    for event in (panel_event(uid), agreed_event(uid, dt.date.max)):
        Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))
    tracker = bootstrap(TrackerSettings(), SYSTEM, engine=engine, run_migrations=False)

    app = FastAPI()
    problems.install(app)
    app.include_router(feeds.router)
    app.state.engine, app.state.settings, app.state.clock = engine, tracker.settings, SYSTEM
    app.state.storage = tracker.storage
    r = TestClient(app, raise_server_exceptions=False).get(f"/panels/panel-{uid}/deadlines.ics")
    assert r.status_code == 200, f"deadlines.ics answered {r.status_code}"
    assert "DTSTART;VALUE=DATE:99991231" in r.text

    result = tracker.scanner.run(utcnow())
    assert result.parked == [], "the scan parked the row"
