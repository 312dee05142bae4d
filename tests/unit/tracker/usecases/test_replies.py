"""The panel's reply to a police decision (usecases/replies.py), on the in-memory storage: one reply
per decision and round, insisting starts a new round with a new clock, a counter-proposal is a new
pending recommendation, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas import RecommendationReplied
from services.tracker.domain import TransitionError
from services.tracker.usecases import actions, replies
from services.tracker.usecases.errors import Incomplete, NotFound
from tests.unit.tracker.usecases.conftest import SLUG, TODAY, UID, World

RESPOND_WITHIN = 56  # the default policy's respond_within_days


def _reply(world, rid: str, reply: str, **kwargs):
    return replies.reply(world.storage, world.clock, world.policies, world.recorder, rid, reply=reply,
                         comment=kwargs.pop("comment", "We talked it over"), **kwargs)


def _declined(world) -> str:
    rec = world.recommendation()
    world.decline(rec)
    return str(rec.id)


def test_accepting_an_agreement_records_the_reply_and_its_event_once(world):
    rid = world.agree()["data"]["recommendation"]["id"]
    done = _reply(world, rid, "accept")
    assert (done.decision, done.reply, done.panel, done.respond_by) == ("agreed", "accept", SLUG, None)
    assert done.id == str(replies.reply_id(rid, "agreed", 1))
    [event] = world.storage.events_of("recommendation.replied")
    assert event["id"] == done.id and event["data"]["reply"] == "accept"
    assert not world.storage.notices

    with pytest.raises(replies.AlreadyReplied):
        _reply(world, rid, "counter", title="Something else")
    assert len(world.storage.replies.rows) == 1 and len(world.storage.events_of("recommendation.replied")) == 1


def test_insisting_on_a_decline_gives_the_police_a_new_round_and_clock_and_tells_them(world):
    rid = _declined(world)
    done = _reply(world, rid, "insist", comment="This matters to us")
    respond_by = TODAY + dt.timedelta(days=RESPOND_WITHIN)
    rec = world.storage.recommendations.get(rid)
    assert (rec.decision, rec.response_round, rec.respond_by, rec.next_action_on, rec.ladder_since) == (
        "pending", 2, respond_by, respond_by, TODAY)
    assert done.respond_by == respond_by
    [told] = world.told("insisted")
    assert told.key == "insisted:1:r2" and f"lead-{UID}@example.org" in told.recipients


def test_each_round_has_its_own_reply(world):
    rec = world.recommendation()
    world.decline(rec)
    first = _reply(world, str(rec.id), "insist")
    with pytest.raises(TransitionError):  # pending again: nothing to answer until the police decide
        _reply(world, str(rec.id), "accept")
    world.decline(rec, reason="Still no budget")  # declined again, in round 2
    second = _reply(world, str(rec.id), "accept")
    assert second.id == str(replies.reply_id(str(rec.id), "declined", 2)) != first.id
    assert sorted(r["round"] for r in world.storage.replies.rows.values()) == [1, 2]


def test_a_counter_proposal_is_a_new_pending_recommendation_with_its_own_clock(world):
    rid = _declined(world)
    done = _reply(world, rid, "counter", title="A smaller pilot", detail="Two schools first")
    counter = world.storage.recommendations.get(done.counter_id)
    assert (counter.decision, counter.counter_to, counter.title, counter.detail, counter.respond_by) == (
        "pending", rid, "A smaller pilot", "Two schools first", TODAY + dt.timedelta(days=RESPOND_WITHIN))
    assert done.counter_id == str(replies.counter_id(replies.reply_id(rid, "declined", 1)))
    assert world.storage.recommendations.get(rid).decision == "declined"  # the first stays answered


def test_a_counter_proposal_needs_a_title_and_its_refusal_writes_nothing(world):
    rid = _declined(world)
    commits = world.storage.commits
    with pytest.raises(Incomplete) as refused:
        _reply(world, rid, "counter")
    assert refused.value.field == "title"
    assert not world.storage.replies.rows and not world.storage.events_of("recommendation.replied")
    assert world.storage.commits == commits


def test_insisting_on_an_agreement_is_refused(world):
    rid = world.agree()["data"]["recommendation"]["id"]
    with pytest.raises(TransitionError):
        _reply(world, rid, "insist")
    assert not world.storage.replies.rows


def test_insisting_on_a_withdrawal_tells_the_owner_and_supervisor(world):
    event = world.agree()
    cid, rid = event["data"]["commitment"]["id"], event["data"]["recommendation"]["id"]
    world.run(cid, actions.withdraw, reason="No money", recorder=world.recorder)
    done = _reply(world, rid, "insist", comment="Please think again")
    assert done.decision == "withdrawn"
    [told] = world.told("insisted")
    assert set(told.recipients) == {f"o-{UID}@example.org", f"s-{UID}@example.org"}
    assert world.storage.recommendations.get(rid).decision == "agreed"  # no new clock for a withdrawal


def test_an_unknown_recommendation_is_not_found(world):
    with pytest.raises(NotFound):
        _reply(world, "no-such-id", "accept")
    with pytest.raises(NotFound):
        replies.panel_of(world.storage, "no-such-id")
    assert replies.panel_of(world.storage, _declined(world)) == SLUG


def test_a_replayed_reply_restores_the_counter_once(world):
    rec = world.recommendation()
    world.decline(rec)
    done = _reply(world, str(rec.id), "counter", title="A smaller pilot")
    [event] = world.storage.events_of("recommendation.replied")
    fresh = World()  # a new tracker, rebuilt from the events
    fresh.decline(rec)
    data = RecommendationReplied.model_validate(event["data"])
    for _ in range(2):
        replies.restore(fresh.storage, event["id"], dt.datetime.fromisoformat(event["time"]), data)
    assert len(fresh.storage.replies.rows) == 1
    assert fresh.storage.recommendations.get(done.counter_id).counter_to == str(rec.id)
