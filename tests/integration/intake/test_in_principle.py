"""Yes in principle (contract §5) through intake's API and CSV import, on PostgreSQL and Kafka: a plain
reason and a decide_by, refused with the field and the fix when wrong, and later agreed or declined
through the decision endpoint. The form: test_facilitator_pages.py."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from services.common.clock import london_today
from services.intake.usecases import csvimport
from tests.support.api import agreed_body, panel_body
from tests.support.topics import read

TODAY = london_today()  # intake's day (London), not this machine's
REASON = "We like this idea. We must find the money first."


def _body(uid: str, **over) -> dict:
    return {"panel": f"panel-{uid}", "raised_on": (TODAY - dt.timedelta(days=3)).isoformat(),
            "title": "Youth workers at every station", "detail": "", "themes": ["trust"], "decision": "in_principle",
            "reason": REASON, **over}


def _events(stack, topic, rec_id: str, n: int) -> list[dict]:
    return read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") == rec_id,
                until=lambda f: len(f) >= n, timeout=10)


def _row(intake, rec_id: str):
    with intake.engine.connect() as conn:
        return conn.execute(sa.text("SELECT decision, principle_reason, decide_by FROM intake_recommendations "
                                    "WHERE id = :id"), {"id": rec_id}).one()


def _errors(r) -> dict[str, dict]:
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    return {e["field"]: e for e in r.json()["errors"]}


def test_a_recommendation_said_yes_in_principle_carries_its_reason_and_decide_by(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    by = TODAY + dt.timedelta(days=40)
    r = intake.post("/api/v1/recommendations", json=_body(uid, decide_by=by.isoformat()), headers=intake.admin)
    assert r.status_code == 201 and r.json()["commitment_id"] is None, r.text
    rec_id = r.json()["recommendation_id"]
    (event,) = _events(stack, topic, rec_id, 1)
    assert event["type"] == "recommendation.recorded"
    data = event["data"]
    assert (data["decision"], data["reason"], data["decide_by"], data["respond_by"]) == (
        "in_principle", REASON, by.isoformat(), by.isoformat())
    assert tuple(_row(intake, rec_id)) == ("in_principle", REASON, by)


def test_without_a_decide_by_it_is_the_session_day_plus_the_policy_s_days(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    rec_id = intake.post("/api/v1/recommendations", json=_body(uid), headers=intake.admin).json()["recommendation_id"]
    (event,) = _events(stack, topic, rec_id, 1)
    assert event["data"]["decide_by"] == (TODAY - dt.timedelta(days=3) + dt.timedelta(days=56)).isoformat()


def test_a_missing_reason_a_past_or_far_decide_by_and_contact_details_are_refused_naming_the_field(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    post = lambda **over: intake.post("/api/v1/recommendations", json=_body(uid, **over),  # noqa: E731
                                      headers=intake.admin)
    assert "reason" in _errors(post(reason=None))
    past = _errors(post(decide_by=(TODAY - dt.timedelta(days=1)).isoformat()))["decide_by"]
    assert "in the past" in past["message"] and "today" in past["fix"]
    far = _errors(post(decide_by=(TODAY + dt.timedelta(days=400)).isoformat()))["decide_by"]
    assert "365 days" in far["message"] and "within" in far["fix"]
    assert "reason" in _errors(post(reason="Ring me on 07700 900123 or write to pc.jones@example.org"))
    assert "decide_by" in _errors(post(decision="pending", reason=None, decide_by=TODAY.isoformat()))
    with intake.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM intake_recommendations WHERE panel = :p"),
                            {"p": f"panel-{uid}"}).scalar() == 0


def test_a_pending_one_said_in_principle_is_then_agreed(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    pending = _body(uid, decision="pending", reason=None)
    rec_id = intake.post("/api/v1/recommendations", json=pending, headers=intake.admin).json()["recommendation_id"]
    decide = f"/api/v1/recommendations/{rec_id}/decision"
    past = {"decision": "in_principle", "reason": REASON, "decide_by": (TODAY - dt.timedelta(days=2)).isoformat()}
    assert "decide_by" in _errors(intake.post(decide, json=past, headers=intake.admin))
    r = intake.post(decide, json={"decision": "in_principle", "reason": REASON}, headers=intake.admin)
    assert r.status_code == 201 and r.json()["commitment_id"] is None, r.text
    assert tuple(_row(intake, rec_id)) == ("in_principle", REASON, TODAY + dt.timedelta(days=56))
    # Said once: now only a yes or a no.
    again = _errors(intake.post(decide, json={"decision": "in_principle", "reason": REASON}, headers=intake.admin))
    assert "agree" in again["decision"]["fix"].lower()

    commitment = agreed_body(uid, TODAY + dt.timedelta(days=90))["commitment"]
    r = intake.post(decide, json={"decision": "agreed", "commitment": commitment}, headers=intake.admin)
    assert r.status_code == 201 and r.json()["commitment_id"], r.text
    events = _events(stack, topic, rec_id, 3)
    assert [(e["type"], e["data"].get("decision")) for e in events] == [
        ("recommendation.recorded", "pending"), ("recommendation.recorded", "in_principle"),
        ("recommendation.agreed", None)]
    assert events[2]["data"]["commitment"]["id"] == r.json()["commitment_id"]
    assert _row(intake, rec_id).decision == "agreed"
    assert intake.post(decide, json={"decision": "declined", "decline_reason": "No."},
                       headers=intake.admin).status_code == 409


def test_one_said_in_principle_is_then_declined_with_its_code(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    rec_id = intake.post("/api/v1/recommendations", json=_body(uid), headers=intake.admin).json()["recommendation_id"]
    decide = f"/api/v1/recommendations/{rec_id}/decision"
    no = {"decision": "declined", "decline_reason": "We did not find the money.", "decline_code": "no_budget"}
    assert intake.post(decide, json=no, headers=intake.admin).status_code == 201
    events = _events(stack, topic, rec_id, 2)
    assert [e["type"] for e in events] == ["recommendation.recorded", "recommendation.declined"]
    assert (events[1]["data"]["decline_code"], events[1]["data"]["reason"]) == ("no_budget", no["decline_reason"])
    assert _row(intake, rec_id).decision == "declined"


def _csv(uid: str, **cells) -> bytes:
    row = {c: "" for c in csvimport.COLUMNS} | {"panel": f"panel-{uid}", "raised_on": TODAY.isoformat(),
                                                "title": "Youth workers at every station", "themes": "trust"} | cells
    return (csvimport.template() + ",".join(row[c] for c in csvimport.COLUMNS) + "\n").encode()


def test_the_csv_takes_in_principle_with_its_reason_and_decide_by_and_names_the_row_and_column(
        intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    post = lambda body: intake.post("/api/v1/recommendations/import", content=body,  # noqa: E731
                                    headers={**intake.admin, "Content-Type": "text/csv"})
    by = TODAY + dt.timedelta(days=30)
    bad = post(_csv(uid, decision="in_principle", reason=REASON,
                    decide_by=(TODAY - dt.timedelta(days=1)).isoformat()))
    assert bad.status_code == 422, bad.text
    (error,) = bad.json()["errors"]
    assert (error["row"], error["field"]) == (2, "decide_by") and "in the past" in error["message"]
    (missing,) = post(_csv(uid, decision="in_principle")).json()["errors"]
    assert (missing["row"], missing["field"]) == (2, "reason")

    r = post(_csv(uid, decision="in_principle", reason=REASON, decide_by=by.isoformat()))
    assert r.status_code == 201, r.text
    rec_id = r.json()["results"][0]["recommendation_id"]
    (event,) = _events(stack, topic, rec_id, 1)
    assert (event["data"]["decision"], event["data"]["decide_by"]) == ("in_principle", by.isoformat())
    assert tuple(_row(intake, rec_id)) == ("in_principle", REASON, by)
