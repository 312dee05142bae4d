"""Off-track declared early and kept promises re-checked (issue 17, parts 3 and 4), against a real
tracker process, PostgreSQL and Kafka: `track` and `delay_reason` on updates, the public
`next_update_by`, the supervisor told once of an early significant delay, and the panel reopening
a kept promise with its access code inside the window (and refused outside it)."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.clock import london_today
from services.common.db import make_engine
from services.tracker.adapters.links import RespondLinks
from services.tracker.adapters.reopencounts import reopen_counts
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.topics import read

SECRET = "track-and-reopen-secret"


@pytest.fixture
def world(services, stack, database_url, uid, prefix):
    """A running tracker with one commitment agreed 10 days ago and due in 40 days."""
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=40))
    publish(stack.bootstrap, event, prefix)
    cid = event["data"]["commitment"]["id"]
    wait_until(lambda: httpx.get(f"{tracker.url}/api/v1/commitments/{cid}").status_code == 200)

    class World:
        base = tracker.url
        url = f"{tracker.url}/api/v1/commitments/{cid}"
        commitment_id = cid
        agreed_on = dt.date.fromisoformat(event["data"]["commitment"]["agreed_on"])
        owner_email = f"o-{uid}@example.org"
        supervisor = f"s-{uid}@example.org"
        owner = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}
        code = panel_code(uid)
        engine = make_engine(database_url)
        links = RespondLinks(SECRET, tracker.url)

        @classmethod
        def keep(cls) -> None:
            r = httpx.post(f"{cls.url}/updates", headers=cls.owner, json={
                "note": "Done", "done": True, "evidence_note": "Attendance list", "summary": "Officers briefed."})
            assert r.status_code == 200, r.text
            r = httpx.post(f"{cls.url}/verdict", json={"verdict": "confirmed", "comment": "", "access_code": cls.code})
            assert r.json()["status"] == "kept", r.text

        @classmethod
        def notices(cls, kind: str, expect: int, timeout: float = 15) -> list[dict]:
            return [n["data"]["notice"] for n in read(
                stack.bootstrap, prefix + "followthrough.notices", timeout=timeout,
                where=lambda e: e["data"]["notice"]["commitment_id"] == cid and e["data"]["notice"]["kind"] == kind,
                until=lambda found: len(found) > expect)]

        @classmethod
        def events(cls, event_type: str, expect: int) -> list[dict]:
            return read(stack.bootstrap, prefix + "followthrough.commitments", timeout=15,
                        where=lambda e: e["subject"] == cid and e["type"] == event_type,
                        until=lambda found: len(found) >= expect)
    yield World
    World.engine.dispose()


def test_a_delay_needs_its_reason_and_every_commitment_shows_its_next_update_date(world):
    state = httpx.get(world.url).json()
    assert state["next_update_by"] == (world.agreed_on + dt.timedelta(days=30)).isoformat()
    assert state["track"] is None
    r = httpx.post(f"{world.url}/updates", headers=world.owner, json={"note": "Slow", "track": "minor_delay"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "delay_reason" and "delay_reason" in r.json()["errors"][0]["message"]
    r = httpx.post(f"{world.url}/updates", headers=world.owner, json={"note": "x", "track": "late-ish"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "track"
    r = httpx.post(f"{world.url}/updates", headers=world.owner,
                   json={"note": "Half briefed", "track": "minor_delay", "delay_reason": "Two trainers are away."})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["track"], body["delay_reason"]) == ("minor_delay", "Two trainers are away.")
    assert body["next_update_by"] == (london_today() + dt.timedelta(days=30)).isoformat()
    listed = httpx.get(f"{world.base}/api/v1/commitments", params={"panel": body["panel"]}).json()
    assert listed[0]["next_update_by"] == body["next_update_by"]
    [event] = world.events("commitment.updated", 1)
    assert (event["data"]["track"], event["data"]["delay_reason"]) == ("minor_delay", "Two trainers are away.")
    assert event["data"]["commitment"]["next_update_by"] == body["next_update_by"]
    assert world.notices("early_warning", 0, timeout=3) == []  # a minor delay tells nobody


def test_a_significant_delay_said_early_tells_the_supervisor_once_crediting_the_warning(world):
    for _ in range(2):
        r = httpx.post(f"{world.url}/updates", headers=world.owner, json={
            "note": "The trainer is off sick", "track": "significant_delay",
            "delay_reason": "Our only trainer is off sick until March."})
        assert r.status_code == 200, r.text
    time.sleep(2)  # the second declaration has had its chance to tell anyone again
    notices = world.notices("early_warning", 1, timeout=10)
    assert len(notices) == 1, notices
    [n] = notices
    assert n["recipients"] == [world.owner_email, world.supervisor] and n["level"] == 1
    assert n["reason"].startswith("Inspector told the panel early that this will be late, and why: Our only "
                                  "trainer is off sick until March.")
    assert n["subject"].startswith("Early warning: this will be late")
    timeline = httpx.get(world.url).json()["timeline"]
    assert timeline[1]["entry"]["told"] == ["owner", "supervisor"] and "told" not in timeline[2]["entry"]


def test_the_police_lead_declares_a_delay_on_the_respond_page_without_javascript(world):
    page = world.links.url(world.commitment_id, world.owner_email)
    with httpx.Client(follow_redirects=True) as client:
        form = client.get(page)
        assert "Your next update is due by" in form.text and 'name="track"' in form.text
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        token = page.split("token=")[1]
        sent = {"token": token, "csrf": csrf, "action": "update", "note": "Trainer away", "track": "significant_delay"}
        r = client.post(f"{world.base}/commitments/{world.commitment_id}/respond", data=sent)
        assert r.status_code == 422 and "Why it is late" in r.text
        r = client.post(f"{world.base}/commitments/{world.commitment_id}/respond",
                        data={**sent, "delay_reason": "Trainer away until March."})
        assert r.status_code == 200 and "your supervisor has been told" in r.text
        assert "Will be late" in r.text and "Trainer away until March." in r.text
    assert len(world.notices("early_warning", 0)) == 1


def test_the_panel_reopens_a_kept_promise_inside_the_window_and_the_ladder_starts_again(world):
    world.keep()
    r = httpx.post(f"{world.url}/reopen", json={"comment": "Stopped again", "access_code": "guess"})
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "access_code"
    r = httpx.post(f"{world.url}/reopen", json={"comment": "", "access_code": world.code})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    r = httpx.post(f"{world.url}/reopen", json={"comment": "Officers stopped explaining again.",
                                                "access_code": world.code})
    assert r.status_code == 200, r.text
    body = r.json()
    today = london_today()
    assert (body["status"], body["reopenings"], body["due"]) == ("in_progress", 1,
                                                                 (today + dt.timedelta(days=30)).isoformat())
    assert body["next_update_by"] == body["due"] and body["due_moves"] == 1
    [n] = world.notices("reopened", 1)
    assert n["recipients"] == [world.owner_email, world.supervisor] and n["level"] == 1
    assert "Officers stopped explaining again." in n["reason"]
    [event] = world.events("commitment.reopened", 1)
    assert event["data"]["comment"] == "Officers stopped explaining again."
    assert event["data"]["commitment"]["status"] == "in_progress"
    assert httpx.get(world.url).json()["timeline"][-1]["kind"] == "reopened"
    again = httpx.post(f"{world.url}/reopen", json={"comment": "x", "access_code": world.code})
    assert again.status_code == 409 and "only a kept promise can be reopened" in again.json()["detail"]
    with Session(world.engine) as s:
        counts = reopen_counts(s, panel=body["panel"])
    assert (counts.kept, counts.reopened, counts.reopenings) == (1, 1, 1)


def test_a_promise_kept_longer_ago_than_the_window_cannot_be_reopened(world):
    world.keep()
    long_ago = london_today() - dt.timedelta(weeks=27)
    with world.engine.begin() as conn:  # kept 27 weeks ago: the default window is 26
        conn.execute(sa.text("UPDATE tracker_commitments SET kept_on = :d WHERE id = :c"),
                     {"d": long_ago, "c": world.commitment_id})
    r = httpx.post(f"{world.url}/reopen", json={"comment": "Stopped", "access_code": world.code})
    assert r.status_code == 409
    closed = long_ago + dt.timedelta(weeks=26)
    assert f"ended on {closed:%d %B %Y}" in r.json()["detail"]
    assert "ask your youth worker" in r.json()["detail"]
    assert httpx.get(world.url).json()["status"] == "kept"
