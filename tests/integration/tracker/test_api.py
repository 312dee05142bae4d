"""The tracker's write API against a real process, PostgreSQL and Kafka."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.topics import read


@pytest.fixture
def world(services, stack, database_url, uid, prefix):
    """A running tracker with one open commitment due in 40 days, and the keys to act on it."""
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=40))
    publish(stack.bootstrap, event, prefix)
    cid = event["data"]["commitment"]["id"]
    wait_until(lambda: httpx.get(f"{tracker.url}/api/v1/commitments/{cid}").status_code == 200)
    engine = make_engine(database_url)
    code = panel_code(uid)  # its digest came with the panel's event

    class World:
        url = f"{tracker.url}/api/v1/commitments/{cid}"
        commitment_id = cid
        owner = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}
        stranger = {"Authorization": f"Bearer {issue_token(database_url, 'owner', 'someone@example.org')}"}
        admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        access_code = code
    World.engine = engine
    return World


def test_only_the_owner_or_an_admin_posts_updates(world):
    assert httpx.post(f"{world.url}/updates", json={"note": "x"}).status_code == 401
    r = httpx.post(f"{world.url}/updates", json={"note": "Started"}, headers=world.stranger)
    assert r.status_code == 403 and "owner" in r.json()["detail"]
    r = httpx.post(f"{world.url}/updates", json={"note": "Briefing written", "percent": 30}, headers=world.owner)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["last_update_at"]
    assert httpx.post(f"{world.url}/updates", json={"note": "Half done"}, headers=world.admin).status_code == 200
    detail = httpx.get(world.url).json()
    assert [e["kind"] for e in detail["timeline"]] == ["agreed", "updated", "updated"]


def test_done_needs_evidence_and_a_summary_then_the_panel_confirms(world, stack, topic):
    r = httpx.post(f"{world.url}/updates", json={"note": "All done", "done": True}, headers=world.owner)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence_url"
    r = httpx.post(f"{world.url}/updates", json={"note": "All done", "done": True, "evidence_note": "Attendance list"},
                   headers=world.owner)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "summary"
    r = httpx.post(f"{world.url}/updates", headers=world.owner,
                   json={"note": "All done", "done": True, "evidence_note": "Attendance list",
                         "summary": "Every officer was briefed."})
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = httpx.post(f"{world.url}/verdict", json={"verdict": "confirmed", "comment": "Yes",
                                                 "access_code": world.access_code})
    assert r.status_code == 200 and r.json()["status"] == "kept"
    events = read(stack.bootstrap, topic("followthrough.commitments"),
                  where=lambda e: e.get("subject") == world.commitment_id,
                  until=lambda f: len(f) >= 3, timeout=10)
    assert [e["type"] for e in events] == ["commitment.opened", "commitment.completed", "commitment.confirmed"]


def test_a_wrong_access_code_is_refused_and_attempts_are_limited(world):
    httpx.post(f"{world.url}/updates", headers=world.owner,
               json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
    guess = {"verdict": "disputed", "comment": "Not yet", "access_code": "guess"}
    answers = [httpx.post(f"{world.url}/verdict", json=guess) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [403] * 10
    assert answers[10].status_code == 429 and answers[10].headers["Retry-After"]
    # Even the right code waits once the limit is reached.
    r = httpx.post(f"{world.url}/verdict", json={"verdict": "confirmed", "comment": "",
                                                 "access_code": world.access_code})
    assert r.status_code == 429


def test_a_dispute_escalates_to_level_two(world, stack, topic):
    httpx.post(f"{world.url}/updates", headers=world.owner,
               json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
    r = httpx.post(f"{world.url}/verdict",
                   json={"verdict": "disputed", "comment": "Not what we asked", "access_code": world.access_code})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    notices = read(stack.bootstrap, topic("followthrough.notices"),
                   where=lambda e: e["data"]["notice"]["commitment_id"] == world.commitment_id,
                   until=lambda f: len(f) >= 1, timeout=15)
    assert [(n["data"]["notice"]["kind"], n["data"]["notice"]["level"]) for n in notices] == [("dispute", 2)]
    assert len(notices[0]["data"]["notice"]["recipients"]) == 3


def test_an_extension_moves_the_deadline_publicly(world, stack, topic):
    new_due = (london_today() + dt.timedelta(days=70)).isoformat()
    r = httpx.post(f"{world.url}/extensions", json={"new_due": new_due, "reason": "Training booked for June"},
                   headers=world.owner)
    assert r.status_code == 200
    assert r.json()["due"] == new_due and r.json()["due_moves"] == 1
    assert r.json()["original_due"] != new_due
    past = httpx.post(f"{world.url}/extensions", json={"new_due": "2020-01-01", "reason": "x"}, headers=world.owner)
    assert past.status_code == 409 and "after today" in past.json()["detail"]
    events = read(stack.bootstrap, topic("followthrough.commitments"),
                  where=lambda e: e.get("type") == "commitment.extended" and e["subject"] == world.commitment_id,
                  until=lambda f: len(f) >= 1, timeout=10)
    assert events[0]["data"]["new_due"] == new_due and events[0]["data"]["reason"] == "Training booked for June"


def test_handover_and_withdrawal(world):
    r = httpx.post(f"{world.url}/owner", headers=world.admin,
                   json={"role": "Inspector, neighbourhoods", "email": "new@example.org", "reason": "Moved post"})
    assert r.status_code == 200 and r.json()["owner_role"] == "Inspector, neighbourhoods"
    # The old owner's token no longer fits this commitment.
    assert httpx.post(f"{world.url}/updates", json={"note": "x"}, headers=world.owner).status_code == 403
    r = httpx.post(f"{world.url}/withdrawal", json={"reason": ""}, headers=world.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = httpx.post(f"{world.url}/withdrawal", json={"reason": "Funding ended"}, headers=world.admin)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert httpx.post(f"{world.url}/withdrawal", json={"reason": "again"}, headers=world.admin).status_code == 409


def test_editing_any_timeline_row_breaks_the_audit(world):
    httpx.post(f"{world.url}/updates", json={"note": "Briefing written"}, headers=world.owner)
    httpx.post(f"{world.url}/updates", json={"note": "Half the officers briefed"}, headers=world.owner)
    audit = httpx.get(f"{world.url}/audit").json()
    assert audit["intact"] is True and audit["entries"] == 3
    with world.engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_timeline SET entry = CAST(:e AS JSON) "
                             "WHERE commitment_id = :c AND seq = 2"),
                     {"e": '{"note": "All officers briefed"}', "c": world.commitment_id})
    audit = httpx.get(f"{world.url}/audit").json()
    assert audit["intact"] is False and audit["broken_at_seq"] == 2
    assert httpx.get(f"{world.url[:-36]}nope/audit").status_code == 404
