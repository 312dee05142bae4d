"""Languages from intake's API to the tracker's rows and a notice (contract §8.4), on real Kafka and
PostgreSQL: a Welsh panel, its Welsh police lead and supervisor, an owner who reads Welsh and a
recommendation with titles in both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common.clock import utcnow
from services.common.db import make_engine
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap, migrate
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.ingest import Handlers
from tests.support.api import agreed_body, panel_body
from tests.support.topics import read

TITLES = {"en": "Explain the reason for every stop and search", "cy": "Esbonio’r rheswm dros bob stop a chwilio"}


@pytest.fixture
def tracker_engine(stack):
    engine = make_engine(stack.new_database())
    migrate(engine)
    yield engine
    engine.dispose()


def _welsh_panel(uid: str) -> dict:
    body = panel_body(uid)
    body["language"] = "cy"
    body["police_lead"]["language"] = "cy"
    body["escalation"]["languages"] = {"supervisor": "cy", "board": "en"}
    return body


def _events(stack, topic: str, subject: str) -> list[dict]:
    return read(stack.bootstrap, topic, where=lambda e: e.get("subject") == subject,
                until=lambda found: len(found) >= 1, timeout=8)


def test_a_welsh_panel_and_owner_reach_the_trackers_rows_and_a_notices_languages(
        intake, stack, uid, topic, tracker_engine):
    assert intake.post("/api/v1/panels", json=_welsh_panel(uid), headers=intake.admin).status_code == 201
    overdue = dt.date.today() - dt.timedelta(days=5)
    body = agreed_body(uid, overdue, titles=TITLES)
    body["commitment"]["owner"]["language"] = "cy"
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 201, r.text
    rec_id, commitment_id = r.json()["recommendation_id"], r.json()["commitment_id"]

    (panel_event,) = _events(stack, topic("followthrough.panels"), f"panel-{uid}")
    (agreed,) = _events(stack, topic("followthrough.recommendations"), rec_id)
    assert panel_event["data"]["panel"]["language"] == "cy"
    assert agreed["data"]["recommendation"]["titles"] == TITLES
    assert agreed["data"]["commitment"]["owner"]["language"] == "cy"

    handlers = Handlers(SqlStorage(tracker_engine), load_policy_file(None))
    for event in (panel_event, agreed):
        handlers.handle(*parse_event(json.dumps(event).encode()))
    with tracker_engine.connect() as conn:
        language = conn.execute(sa.text("SELECT language FROM tracker_panels WHERE slug = :s"),
                                {"s": f"panel-{uid}"}).scalar()
        titles = conn.execute(sa.text("SELECT titles FROM tracker_recommendations WHERE id = :i"),
                              {"i": rec_id}).scalar()
        owner_language = conn.execute(sa.text("SELECT owner_language FROM tracker_commitments WHERE id = :i"),
                                      {"i": commitment_id}).scalar()
    assert language == "cy" and owner_language == "cy"
    assert (json.loads(titles) if isinstance(titles, str) else titles) == TITLES

    scanner = bootstrap(TrackerSettings(), engine=tracker_engine, run_migrations=False).scanner
    assert scanner.run(utcnow()).notices
    with tracker_engine.connect() as conn:
        payloads = conn.execute(sa.text("SELECT payload FROM tracker_outbox WHERE topic LIKE '%notices'")).scalars()
        notices = [json.loads(p)["data"]["notice"] for p in payloads]
    (notice,) = [n for n in notices if n["commitment_id"] == commitment_id]
    owner = f"owner-{uid}@example.org"
    assert owner in notice["recipients"]
    expected = {owner: "cy", f"supervisor-{uid}@example.org": "cy", f"board-{uid}@example.org": "en"}
    assert notice["languages"] == {r: expected[r] for r in notice["recipients"] if r in expected}
    assert notice["languages"][owner] == "cy"


def test_a_panel_with_no_language_is_english_and_a_bad_language_names_the_field(intake, stack, uid, topic):
    assert intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin).status_code == 201
    (panel_event,) = _events(stack, topic("followthrough.panels"), f"panel-{uid}")
    assert panel_event["data"]["panel"]["language"] == "en"

    bad = _welsh_panel(uid + "x")
    bad["police_lead"]["language"] = "welsh"
    r = intake.post("/api/v1/panels", json=bad, headers=intake.admin)
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "police_lead.language" and "use en or cy" in error["message"]
