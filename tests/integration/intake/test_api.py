"""Intake against real PostgreSQL and Kafka: what it stores and what it publishes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import sqlalchemy as sa

from services.common import accesscode
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.topics import read

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "json"


def _mine(stack, name, subject, expect):
    return read(stack.bootstrap, name, where=lambda e: e.get("subject") == subject,
                until=lambda found: len(found) >= expect, timeout=8 if expect else 3)


def test_a_panel_and_an_agreed_recommendation_publish_exactly_their_events(intake, stack, uid, topic):
    r = intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    assert r.status_code == 201, r.text
    code = r.json()["access_code"]
    due = dt.date.today() + dt.timedelta(days=40)
    r = intake.post("/api/v1/recommendations", json=agreed_body(uid, due), headers=intake.admin)
    assert r.status_code == 201, r.text
    rec_id, commitment_id = r.json()["recommendation_id"], r.json()["commitment_id"]

    (panel_event,) = _mine(stack, topic("followthrough.panels"), f"panel-{uid}", 1)
    assert panel_event["type"] == "panel.registered"
    jsonschema.validate(panel_event, json.loads((SCHEMAS / "panel.registered.json").read_text()))
    # Only the code's salted hash travels (the tracker checks verdicts against it), never the code.
    assert code not in json.dumps(panel_event) and code.replace("-", "") not in json.dumps(panel_event)
    assert accesscode.matches(code, panel_event["data"]["panel"]["access_code_hash"])
    assert panel_event["data"]["panel"].get("access_code_sha256") is None

    events = _mine(stack, topic("followthrough.recommendations"), rec_id, 1)
    assert [e["type"] for e in events] == ["recommendation.agreed"]
    jsonschema.validate(events[0], json.loads((SCHEMAS / "recommendation.agreed.json").read_text()))
    data = events[0]["data"]
    assert data["commitment"]["id"] == commitment_id
    # The panel's ladder is filled in, so the event stands alone.
    assert data["commitment"]["escalation"]["supervisor"] == f"supervisor-{uid}@example.org"
    assert data["commitment"]["update_every_days"] == 30


def test_a_bad_post_names_the_field_and_publishes_nothing(intake, stack, uid, topic, prefix):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    body = agreed_body(uid, dt.date.today() + dt.timedelta(days=10))
    body["commitment"]["owner"]["email"] = "not-an-email"
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 422 and problem["title"]
    assert [e["field"] for e in problem["errors"]] == ["commitment.owner.email"]
    assert "commitment.owner.email" in problem["detail"]

    body = agreed_body(uid, dt.date.today() + dt.timedelta(days=10), themes=["gossip"])
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "themes.0"
    assert "stop-and-search" in r.json()["errors"][0]["fix"]

    body = agreed_body(uid, dt.date.today() + dt.timedelta(days=10), title="text me on 07700 900123")
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "title"
    assert "phone number" in r.json()["detail"]

    with intake.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM intake_recommendations")).scalar() == 0
        topics = conn.execute(sa.text("SELECT topic FROM intake_outbox")).scalars().all()
    assert topics == ["followthrough.panels"]  # the outbox keeps the contract's names; the relay adds the prefix
    assert read(stack.bootstrap, topic("followthrough.recommendations"),
                where=lambda e: e.get("data", {}).get("recommendation", {}).get("panel") == f"panel-{uid}",
                timeout=2) == []


def test_writes_need_a_token_with_the_right_role(intake, database_url, uid):
    assert intake.post("/api/v1/panels", json=panel_body(uid)).status_code == 401
    bad = intake.post("/api/v1/panels", json=panel_body(uid), headers={"Authorization": "Bearer ft_x_y"})
    assert bad.status_code == 401
    token = issue_token(database_url, 'facilitator', 'f@example.org', panel=f'panel-{uid}')
    facilitator = {"Authorization": f"Bearer {token}"}
    r = intake.post("/api/v1/panels", json=panel_body(uid), headers=facilitator)
    assert r.status_code == 403 and "admin" in r.json()["detail"]


def test_idempotency_key_returns_the_first_answer_and_refuses_another_body(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    body = agreed_body(uid, dt.date.today() + dt.timedelta(days=10))
    headers = {**intake.admin, "Idempotency-Key": f"key-{uid}"}
    first = intake.post("/api/v1/recommendations", json=body, headers=headers)
    again = intake.post("/api/v1/recommendations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = intake.post("/api/v1/recommendations", json={**body, "title": "Something else"}, headers=headers)
    assert other.status_code == 409
    with intake.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM intake_recommendations")).scalar() == 1
