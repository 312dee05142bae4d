"""The panel's right of reply through a real tracker, PostgreSQL and Kafka (contract §5): accept,
insist and counter with the panel's access code, once per decision; declines that name who can act."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.common.clock import london_today
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.replies import declined_event, recommendation
from tests.support.topics import read


@pytest.fixture
def world(services, stack, uid, prefix):
    """A tracker with a declined recommendation (no_power), an old-style decline (no code) and an agreed one."""
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    declined = declined_event(uid)
    old = declined_event(uid, recommendation(uid, "Open the youth club on Sundays"), code=None)
    agreed = agreed_event(uid, london_today() + dt.timedelta(days=40))
    for e in (declined, old, agreed):
        publish(stack.bootstrap, e, prefix)
    api = f"{tracker.url}/api/v1/recommendations"
    for e in (declined, old, agreed):
        wait_until(lambda e=e: httpx.get(f"{api}/{e['subject']}").status_code == 200)

    class World:
        url, page = tracker.url, f"{tracker.url}/panels/panel-{uid}"
        declined_id, old_id, agreed_id = declined["subject"], old["subject"], agreed["subject"]
        code = panel_code(uid)

        @staticmethod
        def reply(rec_id: str, **body) -> httpx.Response:
            return httpx.post(f"{api}/{rec_id}/reply", json={"access_code": panel_code(uid), **body})

        @staticmethod
        def get(rec_id: str) -> dict:
            return httpx.get(f"{api}/{rec_id}").json()
    return World


def test_a_decline_names_who_can_act_and_an_old_decline_reads_as_other(world):
    assert world.get(world.declined_id)["decline_code"] == "no_power"
    assert world.get(world.declined_id)["who_can"] == "the local council"
    assert world.get(world.old_id)["decline_code"] == "other"
    page = httpx.get(world.page).text
    assert "Police cannot do this; the local council can." in page
    assert page.count('action="/panels/') >= 3  # a reply form for each decision not yet answered (and the pulse)


def test_a_wrong_code_is_a_403_problem_and_nothing_is_recorded(world):
    r = world.reply(world.declined_id, reply="insist", access_code="not-the-code")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "access_code"
    assert world.get(world.declined_id)["decision"] == "declined" and world.get(world.declined_id)["replies"] == []


def test_accept_once_then_a_second_reply_to_the_same_decision_is_a_409(world, stack, topic):
    r = world.reply(world.agreed_id, reply="accept", comment="Thank you.")
    assert r.status_code == 201, r.text
    assert r.json()["decision"] == "agreed" and r.json()["respond_by"] is None
    again = world.reply(world.agreed_id, reply="counter", title="Something else")
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    insist = world.reply(world.old_id, reply="insist", comment="x", access_code=world.code)
    assert insist.status_code == 201  # another decision: its own reply
    wrong = world.reply(world.agreed_id, reply="insist")
    assert wrong.status_code == 409  # already answered comes first
    events = read(stack.bootstrap, topic("followthrough.replies"), until=lambda found: len(found) >= 2, timeout=15)
    assert sorted(e["data"]["reply"] for e in events) == ["accept", "insist"]
    assert all(e["type"] == "recommendation.replied" for e in events)
    assert {e["subject"] for e in events} == {world.agreed_id, world.old_id}


def test_insisting_on_an_agreement_is_refused_by_field(world):
    r = world.reply(world.agreed_id, reply="insist")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "reply"


def test_insist_sends_a_decline_back_with_a_new_clock_and_the_police_may_decide_again(world, stack, topic, prefix,
                                                                                       uid):
    r = world.reply(world.declined_id, reply="insist", comment="Our street is dark and unsafe.")
    assert r.status_code == 201, r.text
    due = (london_today() + dt.timedelta(days=56)).isoformat()
    assert r.json()["respond_by"] == due
    rec = world.get(world.declined_id)
    assert rec["decision"] == "pending" and rec["respond_by"] == due
    assert [a["reply"] for a in rec["replies"]] == ["insist"]
    notices = read(stack.bootstrap, topic("followthrough.notices"),
                   where=lambda e: e["data"]["notice"]["kind"] == "insisted", until=lambda f: len(f) >= 1, timeout=15)
    notice = notices[0]["data"]["notice"]
    assert notice["key"] == "insisted:1:r2"
    assert sorted(notice["recipients"]) == sorted([f"lead-{uid}@example.org", f"s-{uid}@example.org"])
    assert "Our street is dark and unsafe." in notice["reason"]
    page = httpx.get(world.page).text
    assert "You insisted" in page and "Our street is dark and unsafe." in page
    # The police decline again (intake's new event): the tracker takes it, and the panel may answer it.
    again = declined_event(uid, _rec_of(rec), code="no_budget")
    publish(stack.bootstrap, again, prefix)
    wait_until(lambda: world.get(world.declined_id)["decision"] == "declined")
    assert world.get(world.declined_id)["decline_code"] == "no_budget"
    assert world.reply(world.declined_id, reply="accept").status_code == 201
    assert world.reply(world.declined_id, reply="accept").status_code == 409


def test_counter_records_a_linked_pending_recommendation_with_its_own_clock(world, stack, topic):
    r = world.reply(world.declined_id, reply="counter", title="Ask the council with us",
                    comment="Come to the council meeting with us.")
    assert r.status_code == 201, r.text
    counter_id = r.json()["counter_id"]
    counter = world.get(counter_id)
    assert counter["decision"] == "pending" and counter["counter_to"] == world.declined_id
    assert counter["respond_by"] == (london_today() + dt.timedelta(days=56)).isoformat()
    assert counter["detail"] == "Come to the council meeting with us."
    assert world.get(world.declined_id)["decision"] == "declined"  # the first decision stands
    events = read(stack.bootstrap, topic("followthrough.replies"), until=lambda found: len(found) >= 1, timeout=15)
    assert events[0]["data"]["counter"]["id"] == counter_id
    assert events[0]["data"]["counter"]["title"] == "Ask the council with us"
    page = httpx.get(world.page).text
    assert "Your new idea, in answer to:" in page and "Ask the council with us" in page
    feed = httpx.get(f"{world.page}/feed.xml").text
    assert "You proposed something else" in feed


def _rec_of(rec: dict):
    from schemas import Recommendation

    return Recommendation(id=rec["id"], panel=rec["panel"], raised_on=rec["raised_on"], title=rec["title"],
                          detail=rec["detail"], themes=rec["themes"])
