"""Handing a commitment over, and back: the first owner's old respond link stays dead (the link
names how many handovers came before it), the link in the newest email works, and the public
`commitment.updated` event carries no hash of the new owner's address anyone could recompute."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from schemas import parse_event
from services.common import problems
from services.common.clock import SYSTEM
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import actions
from services.tracker.web import respond
from tests.support.events import agreed_event, panel_event

FIRST, SECOND = "First.Owner@example.org", "second.owner@example.org"


def _world(engine, uid):
    tracker = bootstrap(TrackerSettings(followthrough_secret_key="handover-test-" + "k" * 32), SYSTEM,
                       engine=engine, run_migrations=False)
    handlers = tracker.handlers()
    for event in (panel_event(uid), agreed_event(uid, SYSTEM.today().replace(year=SYSTEM.today().year + 1),
                                                 owner=FIRST)):
        handlers.handle(*parse_event(json.dumps(event).encode()))
    app = FastAPI()
    problems.install(app)
    app.include_router(respond.router)
    s = app.state
    s.settings, s.engine, s.clock, s.csrf, s.links = tracker.settings, engine, SYSTEM, tracker.csrf, tracker.links
    s.storage = tracker.storage
    return tracker, event["data"]["commitment"]["id"], TestClient(app)


def _hand_over(tracker, cid, email):
    actions.run(tracker.storage, SYSTEM, cid, actions.hand_over, role="Inspector", email=email, name=None,
                reason="Moved teams", recorder=tracker.recorder)


def _outbox(engine, topic):
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT payload FROM tracker_outbox WHERE topic = :t ORDER BY id"),
                            {"t": topic}).scalars().all()
    return [json.loads(p) for p in rows]


def test_a_link_made_for_a_former_owner_stays_dead_when_the_commitment_comes_back(engine, uid):
    tracker, cid, client = _world(engine, uid)
    old = tracker.links.url(cid, FIRST).removeprefix(tracker.settings.public_url)
    assert client.get(old).status_code == 200
    _hand_over(tracker, cid, SECOND)
    assert client.get(old).status_code == 403
    _hand_over(tracker, cid, FIRST)

    page = client.get(old)
    assert page.status_code == 403, "the first owner's old link works again after the commitment came back"
    (newest,) = [e["data"]["notice"] for e in _outbox(engine, "followthrough.notices")
                 if e["data"]["notice"]["kind"] == "handover"
                 and e["data"]["notice"]["recipients"][0] == FIRST]
    assert client.get(newest["respond_url"].removeprefix(tracker.settings.public_url)).status_code == 200


def test_the_handover_event_carries_no_plain_hash_of_the_new_owners_address(engine, uid):
    tracker, cid, _ = _world(engine, uid)
    _hand_over(tracker, cid, SECOND)
    (event,) = [e for e in _outbox(engine, "followthrough.commitments") if e["type"] == "commitment.updated"]
    text = json.dumps(event)
    for guess in (SECOND, SECOND.lower(), SECOND.upper()):
        assert hashlib.sha256(guess.encode()).hexdigest() not in text, "the event names sha256(email)"
    assert event["data"]["timeline"]["entry"]["owner"]["role"] == "Inspector"
