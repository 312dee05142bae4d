"""No quiet reneging: once a commitment is escalated, moving its deadline, handing it over or
withdrawing it tells everyone already told; a deadline far past the first one waits for the
supervisor's signed approval; only an admin or the ladder's supervisor may withdraw; and the
public forms refuse what the API refuses. Against a real tracker process, PostgreSQL and Kafka."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from services.tracker.adapters.links import RespondLinks
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.topics import read

SECRET = "a-test-secret-that-is-long-enough-to-be-strong"


@pytest.fixture
def late(services, stack, database_url, uid, prefix):
    """A commitment 20 days late, escalated to level 2 (owner, supervisor, senior lead told)."""
    # The test client plays the reverse proxy: its X-Forwarded-For names the person.
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET, FOLLOWTHROUGH_TRUSTED_PROXIES="127.0.0.1")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() - dt.timedelta(days=20), agreed_on=london_today() - dt.timedelta(days=40))
    publish(stack.bootstrap, event, prefix)
    cid = event["data"]["commitment"]["id"]
    engine = make_engine(database_url)

    def escalated():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM tracker_notices WHERE key = 'escalation:2:v1'")).scalar()
    wait_until(escalated)
    code = panel_code(uid)  # its digest came with the panel's event

    class Late:
        url = f"{tracker.url}/api/v1/commitments/{cid}"
        base, commitment_id, panel = tracker.url, cid, f"{tracker.url}/panels/panel-{uid}"
        owner = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}
        # The supervisor named on the ladder, with an owner token in their own name (case differs).
        supervisor = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'S-{uid}@Example.org')}"}
        admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        access_code = code
        ladder = {f"o-{uid}@example.org", f"s-{uid}@example.org", f"l-{uid}@example.org"}
    Late.engine = engine
    return Late


def _notices(stack, topic, cid, kind, n=1):
    return [e["data"]["notice"] for e in read(
        stack.bootstrap, topic("followthrough.notices"),
        where=lambda e: e["data"]["notice"]["commitment_id"] == cid and e["data"]["notice"]["kind"] == kind,
        until=lambda f: len(f) >= n, timeout=15)]


def test_an_extension_after_escalation_tells_everyone_already_told(late, stack, topic):
    # News first, so the scan owes no "asked for news" notice that would become the feed's latest line.
    assert httpx.post(f"{late.url}/updates", headers=late.owner, json={"note": "Booking the training"}).is_success
    new_due = london_today() + dt.timedelta(days=30)
    r = httpx.post(f"{late.url}/extensions", headers=late.owner,
                   json={"new_due": new_due.isoformat(), "reason": "Training places are booked"})
    assert r.status_code == 200 and r.json()["due"] == new_due.isoformat()
    (changed,) = _notices(stack, topic, late.commitment_id, "changed")
    assert set(changed["recipients"]) == late.ladder and changed["level"] == 2
    assert "Training places are booked" in changed["reason"]
    page = httpx.get(late.panel).text
    assert "Told of this change: the owner, the owner&#39;s boss, senior police" in page
    feed = httpx.get(f"{late.panel}/feed.xml").text
    assert "Told of this change" in feed


def test_only_an_admin_or_the_ladders_supervisor_may_withdraw_and_everyone_told_hears(late, stack, topic):
    r = httpx.post(f"{late.url}/withdrawal", headers=late.owner, json={"reason": "We stopped"})
    assert r.status_code == 403 and "supervisor" in r.json()["detail"]
    assert httpx.get(late.url).json()["status"] != "withdrawn"
    r = httpx.post(f"{late.url}/withdrawal", headers=late.supervisor, json={"reason": "Funding ended in March"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    (changed,) = _notices(stack, topic, late.commitment_id, "changed")
    assert set(changed["recipients"]) == late.ladder and "Funding ended in March" in changed["reason"]


def test_a_deadline_past_the_limit_waits_for_the_supervisors_signed_approval(late, stack, topic):
    first_due = london_today() - dt.timedelta(days=20)
    far = first_due + dt.timedelta(days=200)  # the default limit is 90 days past the first due date
    r = httpx.post(f"{late.url}/extensions", headers=late.owner, json={"new_due": far.isoformat(), "reason": "Budget"})
    assert r.status_code == 200
    assert r.json()["due"] == first_due.isoformat() and r.json()["requested_due"] == far.isoformat()
    (asked,) = _notices(stack, topic, late.commitment_id, "extension_request")
    assert asked["recipients"] == [sorted(late.ladder)[2]]  # the supervisor alone (s-…)
    assert "/approve?token=" in asked["respond_url"]
    assert "their boss must agree first" in httpx.get(late.panel).text

    approve = asked["respond_url"].replace("http://127.0.0.1:8002", late.base)
    with httpx.Client() as browser:
        page = browser.get(approve)
        assert page.status_code == 200 and "needs your approval" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
        done = browser.post(approve.split("?")[0], data={"token": token, "csrf": csrf})
        assert done.status_code == 200 and "approved" in done.text
        assert browser.get(approve).status_code == 403  # used: there is no request any more
    state = httpx.get(late.url).json()
    assert state["due"] == far.isoformat() and state["requested_due"] is None and state["due_moves"] == 1
    (changed,) = _notices(stack, topic, late.commitment_id, "changed")
    assert set(changed["recipients"]) == late.ladder


def test_a_handover_tells_the_new_and_old_owner_and_the_ladder_and_keeps_the_address_off_the_topic(
        late, stack, topic, database_url, uid):
    r = httpx.post(f"{late.url}/owner", headers=late.admin,
                   json={"role": "Inspector, north", "email": "New.Owner@Example.org", "reason": "Moved post"})
    assert r.status_code == 200
    (handover,) = _notices(stack, topic, late.commitment_id, "handover")
    assert handover["recipients"][0] == "New.Owner@example.org"
    assert set(handover["recipients"]) == late.ladder | {"New.Owner@example.org"}
    changes = read(stack.bootstrap, topic("followthrough.commitments"),
                   where=lambda e: e["subject"] == late.commitment_id and e["type"] == "commitment.updated",
                   until=lambda f: len(f) >= 1, timeout=10)
    assert "new.owner" not in str(changes).lower()
    # Emails are compared without regard to case: the new owner's token fits.
    token = {"Authorization": f"Bearer {issue_token(database_url, 'owner', 'new.owner@example.org')}"}
    assert httpx.post(f"{late.url}/updates", json={"note": "Picked it up"}, headers=token).status_code == 200


def test_wrong_codes_from_one_client_lock_out_that_client_only_and_give_the_panel_a_day(late):
    httpx.post(f"{late.url}/updates", headers=late.owner,
               json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
    stranger, panel = {"X-Forwarded-For": "192.0.2.10"}, {"X-Forwarded-For": "192.0.2.20"}
    answers = [httpx.post(f"{late.url}/verdict", headers=stranger,
                          json={"verdict": "confirmed", "comment": "", "access_code": "guess"}) for _ in range(11)]
    assert [a.status_code for a in answers] == [403] * 10 + [429]
    r = httpx.post(f"{late.url}/verdict", headers=panel,
                   json={"verdict": "disputed", "comment": "Not what we asked", "access_code": late.access_code})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    with late.engine.connect() as conn:
        extra = conn.execute(sa.text("SELECT confirm_extra_days FROM tracker_commitments WHERE id = :id"),
                             {"id": late.commitment_id}).scalar()
        stored = conn.execute(sa.text("SELECT client FROM tracker_access_failures")).scalars().all()
    assert extra == 1
    assert stored and all("192.0.2" not in c for c in stored)  # a keyed hash, not the address


def test_public_text_refuses_contact_details_in_every_field_that_can_be_public(late):
    r = httpx.post(f"{late.url}/updates", headers=late.owner, json={"note": "Call Jo on 07700 900123"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    assert "phone number" in r.json()["errors"][0]["message"]
    httpx.post(f"{late.url}/updates", headers=late.owner,
               json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
    r = httpx.post(f"{late.url}/verdict", json={"verdict": "disputed", "comment": "text me: jo@example.com",
                                                 "access_code": late.access_code})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    r = httpx.post(f"{late.url}/extensions", headers=late.owner,
                   json={"new_due": (london_today() + dt.timedelta(days=5)).isoformat(),
                         "reason": "Ask at 12 Hoe Street"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"


def test_the_respond_form_goes_through_the_same_rules_as_the_api(late, uid):
    link = RespondLinks(SECRET, late.base).url(late.commitment_id, f"o-{uid}@example.org")
    with httpx.Client() as browser:
        page = browser.get(link)
        assert page.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        token = link.split("token=")[1]

        def post(**fields):
            return browser.post(link.split("?")[0], data={"token": token, "csrf": csrf, **fields})
        for fields, words in [({"action": "update", "note": "a\x00b"}, "control characters"),
                              ({"action": "update", "note": "ok", "percent": "²"}, "How far along"),
                              ({"action": "update", "note": "ok", "percent": "999"}, "How far along"),
                              ({"action": "update", "note": "ring 07700 900123"}, "phone number")]:
            r = post(**fields)
            assert r.status_code == 422 and words in r.text, (fields, r.status_code)
    assert httpx.get(late.url).json()["last_update_at"] is None  # nothing was stored


def test_page_handlers_take_no_status_or_message_from_the_address(late):
    r = httpx.get(f"{late.panel}?status_code=500&error=Police+have+been+sacked")
    assert r.status_code == 200 and "sacked" not in r.text


def test_public_lists_are_paged_and_filtered_in_sql(late, stack, prefix, uid):
    for days in (5, 10, 15):
        publish(stack.bootstrap, agreed_event(uid, london_today() + dt.timedelta(days=days)), prefix)
    wait_until(lambda: len(httpx.get(f"{late.base}/api/v1/commitments?panel=panel-{uid}").json()) == 4)
    first = httpx.get(f"{late.base}/api/v1/commitments?panel=panel-{uid}&limit=2").json()
    second = httpx.get(f"{late.base}/api/v1/commitments?panel=panel-{uid}&limit=2&offset=2").json()
    assert len(first) == len(second) == 2 and {c["id"] for c in first}.isdisjoint({c["id"] for c in second})
    late_only = httpx.get(f"{late.base}/api/v1/commitments?panel=panel-{uid}&overdue=true").json()
    assert [c["id"] for c in late_only] == [late.commitment_id]
    assert httpx.get(f"{late.base}/api/v1/commitments?limit=100000").status_code == 422


def test_public_pages_and_verdicts_are_rate_limited_per_client(services, stack, uid, prefix):
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="5/minute", FOLLOWTHROUGH_TRUSTED_PROXIES="127.0.0.1")
    publish(stack.bootstrap, panel_event(uid), prefix)
    wait_until(lambda: httpx.get(f"{tracker.url}/panels/panel-{uid}").status_code == 200)
    one, other = {"X-Forwarded-For": "192.0.2.30"}, {"X-Forwarded-For": "192.0.2.31"}
    codes = [httpx.get(f"{tracker.url}/panels/panel-{uid}", headers=one).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    limited = httpx.get(f"{tracker.url}/register", headers=one)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert httpx.get(f"{tracker.url}/panels/panel-{uid}", headers=other).status_code == 200


def test_the_number_of_wrong_codes_allowed_is_a_setting(services, stack, uid, prefix):
    tracker = services("tracker", FOLLOWTHROUGH_ACCESS_CODE_ATTEMPTS="3")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=30))
    publish(stack.bootstrap, event, prefix)
    url = f"{tracker.url}/api/v1/commitments/{event['data']['commitment']['id']}"
    wait_until(lambda: httpx.get(url).status_code == 200)
    answers = [httpx.post(f"{url}/verdict", json={"verdict": "confirmed", "comment": "", "access_code": "guess"})
               for _ in range(4)]
    assert [a.status_code for a in answers] == [403, 403, 403, 429]
