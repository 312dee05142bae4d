"""Declines that name who can act, and the panel's replies read back by intake through real Kafka:
an insist lets the police decide again, a counter becomes a pending recommendation, a bad
message goes to the DLQ (contract §5)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from fastapi.testclient import TestClient

from schemas import RecommendationReplied, make_event
from schemas.models import CounterProposal
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.intake.usecases import csvimport
from tests.support.api import issue_token, panel_body
from tests.support.procs import wait_until
from tests.support.topics import produce, read


@pytest.fixture
def intake(stack, database_url, prefix):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix)
    with TestClient(create_app(settings)) as client:
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        yield client


def _declined(uid: str, **over) -> dict:
    return {"panel": f"panel-{uid}", "raised_on": dt.date.today().isoformat(), "title": "Fix the street lights",
            "detail": "", "themes": ["safety"], "decision": "declined", "decline_reason": "Not ours to fix.",
            "decline_code": "no_power", "who_can": "the local council", **over}


def test_no_power_needs_who_can_and_each_mistake_names_its_field(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    r = intake.post("/api/v1/recommendations", json=_declined(uid, who_can=None), headers=intake.admin)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    [error] = r.json()["errors"]
    assert error["field"] == "who_can" and "local council" in error["fix"]
    r = intake.post("/api/v1/recommendations", json=_declined(uid, decline_code="no_budget"), headers=intake.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "who_can"
    r = intake.post("/api/v1/recommendations", json=_declined(uid, decline_code="because"), headers=intake.admin)
    assert r.status_code == 422 and "decline_code" in r.text
    r = intake.post("/api/v1/recommendations", json=_declined(uid, who_can="ring 07700 900123"), headers=intake.admin)
    assert r.status_code == 422 and "who_can" in r.text  # public text: no contact details
    r = intake.post("/api/v1/recommendations", json=_declined(uid, who_can="the council\nand more"),
                    headers=intake.admin)
    assert r.status_code == 422 and "who_can" in r.text  # one line
    rows = csvimport.template() + f"panel-{uid},2026-01-14,Lights,,safety,declined,Not ours.,,,,,,,,,,,,,no_power,\n"
    r = intake.post("/api/v1/recommendations/import", content=rows.encode(),
                    headers={**intake.admin, "Content-Type": "text/csv"})
    assert r.status_code == 422 and r.json()["errors"][0] == {**r.json()["errors"][0], "row": 2, "field": "who_can"}


def test_a_decline_carries_its_code_and_who_can_and_an_uncoded_one_is_other(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    coded = intake.post("/api/v1/recommendations", json=_declined(uid), headers=intake.admin).json()
    plain = intake.post("/api/v1/recommendations", json=_declined(uid, decline_code=None, who_can=None),
                        headers=intake.admin).json()
    events = read(stack.bootstrap, topic("followthrough.recommendations"), until=lambda f: len(f) >= 2, timeout=10)
    data = {e["subject"]: e["data"] for e in events}
    assert data[coded["recommendation_id"]]["decline_code"] == "no_power"
    assert data[coded["recommendation_id"]]["who_can"] == "the local council"
    assert data[plain["recommendation_id"]]["decline_code"] == "other"
    assert data[plain["recommendation_id"]]["who_can"] is None


def _reply(rec_id: str, uid: str, reply: str, respond_by: dt.date | None = None, counter=None) -> dict:
    data = RecommendationReplied(recommendation_id=rec_id, panel=f"panel-{uid}", decision="declined", reply=reply,
                                 comment="We insist.", respond_by=respond_by, counter=counter)
    return make_event("recommendation.replied", rec_id, data, source="followthrough/tracker")


def test_the_panels_replies_reopen_a_decline_and_record_a_counter_proposal(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    rec_id = intake.post("/api/v1/recommendations", json=_declined(uid), headers=intake.admin).json()[
        "recommendation_id"]
    decide = f"/api/v1/recommendations/{rec_id}/decision"
    again = {"decision": "declined", "decline_reason": "Still not ours.", "decline_code": "no_power",
             "who_can": "the local council"}
    assert intake.post(decide, json=again, headers=intake.admin).status_code == 409  # decided, no reply yet

    respond_by = dt.date.today() + dt.timedelta(days=56)
    insist = _reply(rec_id, uid, "insist", respond_by)
    replies = topic("followthrough.replies")
    produce(stack.bootstrap, replies, rec_id.encode(), b"not an event")  # the DLQ takes it; the consumer goes on
    produce(stack.bootstrap, replies, rec_id.encode(), json.dumps(insist).encode())
    answers = []
    wait_until(lambda: answers.append(intake.post(decide, json=again, headers=intake.admin)) or
               answers[-1].status_code == 201, timeout=60)
    assert intake.post(decide, json=again, headers=intake.admin).status_code == 409  # decided again: once
    produce(stack.bootstrap, replies, rec_id.encode(), json.dumps(insist).encode())  # the same reply again
    counter = CounterProposal(id=uuid.uuid4(), title="Come to the council with us", detail="Once a term.",
                              themes=["safety"])
    produce(stack.bootstrap, replies, rec_id.encode(),
            json.dumps(_reply(rec_id, uid, "counter", respond_by, counter)).encode())
    events = read(stack.bootstrap, topic("followthrough.recommendations"),
                  where=lambda e: e["subject"] == str(counter.id), until=lambda f: len(f) >= 1, timeout=30)
    [recorded] = events
    assert recorded["type"] == "recommendation.recorded"
    assert recorded["data"]["counter_to"] == rec_id and recorded["data"]["respond_by"] == respond_by.isoformat()
    assert recorded["data"]["recommendation"]["title"] == "Come to the council with us"
    # The re-delivered insist did not reopen the new decision; the counter is pending, to be decided.
    assert intake.post(decide, json=again, headers=intake.admin).status_code == 409
    r = intake.post(f"/api/v1/recommendations/{counter.id}/decision",
                    json={"decision": "declined", "decline_reason": "No.", "decline_code": "no_budget"},
                    headers=intake.admin)
    assert r.status_code == 201, r.text
    dlq = read(stack.bootstrap, topic("followthrough.dlq"), until=lambda f: len(f) >= 1, timeout=10)
    assert [e["source"] for e in dlq] == ["followthrough/intake"]
    assert dlq[0]["data"]["topic"] == replies
