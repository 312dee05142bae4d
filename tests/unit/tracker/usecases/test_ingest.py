"""Consumed events applied to the tracker's rows (usecases/ingest.py), on the in-memory storage:
each event once, an agreed recommendation becomes a commitment, a declined or recorded one a
recommendation row whose response clock starts or stops."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from schemas import Recommendation, parse_event
from schemas.envelope import CloudEvent
from services.common.clock import london_today
from services.common.consumer import Rejected
from tests.support.events import agreed_event, panel_event
from tests.unit.tracker.usecases.conftest import SLUG, TODAY, UID


def test_an_agreed_recommendation_becomes_a_commitment_with_its_first_entry_and_event(world):
    event = world.agree(due_in=60, agreed_ago=20)
    cid, rid = event["data"]["commitment"]["id"], event["data"]["recommendation"]["id"]
    row = world.row(cid)
    assert (row.status, row.recommendation_id, row.due, row.original_due, row.due_version) == (
        "open", rid, TODAY + dt.timedelta(days=60), TODAY + dt.timedelta(days=60), 1)
    assert row.policy == world.policies.for_panel(SLUG).model_dump(mode="json")  # the ladder in force is kept
    assert world.storage.recommendations.get(rid).decision == "agreed"
    [first] = world.entries(cid)
    assert (first["seq"], first["kind"], first["entry"]["owner_role"]) == (1, "agreed", "Inspector")
    [opened] = world.storage.events_of("commitment.opened")
    assert opened["subject"] == cid and opened["data"]["timeline"]["hash"] == first["hash"]


def test_an_event_delivered_twice_is_applied_once(world):
    event = world.agree()
    world.feed(event)
    world.handlers.handle_many([parse_event(json.dumps(event).encode())] * 2)
    assert len(world.storage.commitments.rows) == 1
    assert len(world.storage.events_of("commitment.opened")) == 1
    assert len(world.entries(event["data"]["commitment"]["id"])) == 1


def test_the_same_event_twice_in_one_batch_counts_once(world):
    event = agreed_event(UID, TODAY + dt.timedelta(days=60), agreed_on=TODAY - dt.timedelta(days=20))
    world.handlers.handle_many([parse_event(json.dumps(event).encode())] * 2)
    assert len(world.storage.commitments.rows) == 1 and len(world.storage.events_of("commitment.opened")) == 1
    assert event["id"] in world.storage.processed and len(world.storage.processed) == 2  # the panel's and this


def test_a_declined_recommendation_is_kept_with_its_reason_and_makes_no_commitment(world):
    rec = world.recommendation()
    event = world.decline(rec, reason="No budget this year")
    row = world.storage.recommendations.get(str(rec.id))
    assert row.decided_on == london_today(dt.datetime.fromisoformat(event["time"]))
    assert (row.decision, row.decline_reason, row.decline_code) == ("declined", "No budget this year", "other")
    assert not world.storage.commitments.rows


def test_a_recorded_recommendation_is_pending_until_the_police_decide(world):
    rec = world.recommendation()
    world.record_pending(rec, respond_in=56)
    row = world.storage.recommendations.get(str(rec.id))
    respond_by = TODAY + dt.timedelta(days=56)
    assert (row.decision, row.respond_by, row.next_action_on, row.response_round) == (
        "pending", respond_by, respond_by, 1)
    world.decline(rec)
    row = world.storage.recommendations.get(str(rec.id))
    assert (row.decision, row.next_action_on) == ("declined", None)  # the response clock stopped


def test_a_pending_recommendation_agreed_later_stops_its_clock_and_becomes_a_commitment(world):
    event = agreed_event(UID, TODAY + dt.timedelta(days=60), agreed_on=TODAY - dt.timedelta(days=20))
    rec_data = event["data"]["recommendation"]
    world.record_pending(Recommendation.model_validate(rec_data), respond_in=10)
    assert world.storage.recommendations.get(rec_data["id"]).decision == "pending"
    world.feed(event)
    row = world.storage.recommendations.get(rec_data["id"])
    assert (row.decision, row.next_action_on, row.decided_on) == ("agreed", None, TODAY - dt.timedelta(days=20))
    assert world.row(event["data"]["commitment"]["id"]).status == "open"


def test_a_panel_event_adds_the_panel_and_a_later_one_replaces_its_details(world):
    assert world.storage.panels.get(SLUG).name == "Test panel"
    changed = panel_event(UID)
    changed["data"]["panel"]["name"] = "Renamed panel"
    world.feed(changed)
    assert world.storage.panels.get(SLUG).name == "Renamed panel"
    assert len(world.storage.panels.rows) == 1


def test_a_notice_the_notifier_gave_up_on_is_kept_once(world):
    nid = uuid.uuid4()
    first = world.delivery_failed(nid, "s@example.org")
    world.feed(first)
    world.delivery_failed(nid, "s@example.org")
    assert list(world.storage.delivery_failures) == [(str(nid), "s@example.org")]
    assert world.storage.delivery_failures[(str(nid), "s@example.org")]["error"] == "mailbox full"


def test_an_event_the_tracker_does_not_consume_is_rejected_and_nothing_is_written(world):
    event = world.agree()
    event = dict(event, id=str(uuid.uuid4()), type="commitment.updated")
    before = (len(world.storage.processed), world.storage.commits)
    with pytest.raises(Rejected):
        world.handlers.handle(*_envelope_with(event, world))
    assert (len(world.storage.processed), world.storage.commits) == before


def _envelope_with(event: dict, world) -> tuple:
    """A consumed event of a type the tracker does not apply, with a payload it can carry."""
    envelope = CloudEvent.model_validate(event)
    return envelope, object()
