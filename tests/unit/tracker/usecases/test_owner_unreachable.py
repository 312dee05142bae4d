"""`notice.failed` to a commitment's owner, through the real ingest use case on the in-memory
storage: flagged once, the supervisor asked once per owner, a handover clears it (contract §5)."""

from __future__ import annotations

import json
import uuid

import pytest

from schemas import DeliveryEvent, make_event
from services.tracker.usecases import actions
from services.tracker.usecases.ingest import Handlers
from tests.unit.tracker.usecases.conftest import TODAY, World


class Failing(World):
    def delivery_failed(self, notice_id: uuid.UUID, recipient: str) -> dict:
        """The notifier gave up now (the simulated time): the flag's day is the failure's."""
        data = DeliveryEvent(notice_id=notice_id, recipient=recipient, attempts=1, error="550 No such mailbox")
        event = make_event("notice.failed", str(notice_id), data, source="test", time=self.clock.now())
        self.feed(event)
        return event


@pytest.fixture
def world() -> World:
    w = Failing()
    w.handlers = Handlers(w.storage, w.policies, recorder=w.recorder)
    return w


def _warned(world: World, cid: str) -> str:
    """A significant delay said early: a notice to the owner and the supervisor; its id."""
    world.run(cid, actions.post_update, note="Trainers are off sick", percent=None, evidence_url=None,
              evidence_note=None, done=False, summary=None, track="significant_delay",
              delay_reason="Trainers are off sick", recorder=world.recorder)
    (n,) = [n for n in world.told("early_warning") if n.commitment_id == cid]
    return n.id


def test_a_failure_to_the_owner_flags_it_and_asks_the_supervisor_once(world):
    cid = world.commitment()
    owner = world.row(cid).owner_email
    world.delivery_failed(uuid.UUID(_warned(world, cid)), owner.upper())
    assert world.row(cid).owner_unreachable_since == TODAY
    (n,) = world.told("owner_unreachable")
    assert (n.key, n.commitment_id) == ("owner_unreachable:1:h0", cid)
    assert list(n.recipients) == [world.row(cid).escalation["supervisor"]] and owner.lower() in n.reason.lower()
    # On the timeline (so replay rebuilds it), naming no address; and on the public topic.
    entry = world.entries(cid)[-1]
    assert (entry["kind"], entry["entry"]) == ("owner_unreachable", {"told": ["supervisor"]})
    (event,) = [e for e in world.storage.events if e["type"] == "commitment.updated"
                and e["data"]["timeline"] and e["data"]["timeline"]["kind"] == "owner_unreachable"]
    assert event["data"]["commitment"]["owner_unreachable_since"] == TODAY.isoformat()
    assert owner.lower() not in json.dumps(event).lower()
    (asked,) = [e for e in world.storage.events if e["type"] == "notice.requested"
                and e["data"]["notice"]["kind"] == "owner_unreachable"]
    assert asked["data"]["notice"]["respond_url"] is None  # the owner's signed link is not the supervisor's


def test_the_same_failure_redelivered_and_another_failure_change_nothing(world):
    cid = world.commitment()
    owner, nid = world.row(cid).owner_email, uuid.UUID(_warned(world, cid))
    event = world.delivery_failed(nid, owner)
    outbox = len(world.storage.events)
    world.feed(event)
    world.later(4)
    world.delivery_failed(uuid.uuid4(), owner)  # a notice not ours
    world.delivery_failed(nid, owner)
    assert len(world.storage.events) == outbox
    assert len(world.told("owner_unreachable")) == 1 and world.row(cid).owner_unreachable_since == TODAY


def test_a_failure_to_anyone_else_flags_nothing(world):
    cid = world.commitment()
    world.delivery_failed(uuid.UUID(_warned(world, cid)), world.row(cid).escalation["supervisor"])
    assert world.row(cid).owner_unreachable_since is None and world.told("owner_unreachable") == []


def test_a_handover_clears_it_and_a_failure_to_the_new_owner_asks_again(world):
    cid = world.commitment()
    old = world.row(cid).owner_email
    world.delivery_failed(uuid.UUID(_warned(world, cid)), old)
    state = world.run(cid, actions.hand_over, role="Sergeant", email="new@example.org", name=None,
                      reason="The inspector left", recorder=world.recorder)
    assert state.owner_unreachable_since is None and world.row(cid).owner_unreachable_since is None
    (handover,) = world.told("handover")
    world.later(2)
    world.delivery_failed(uuid.UUID(handover.id), old)  # the old owner's copy: not theirs any more
    assert world.row(cid).owner_unreachable_since is None
    world.delivery_failed(uuid.UUID(handover.id), "new@example.org")
    assert world.row(cid).owner_unreachable_since == world.clock.today()
    assert sorted(n.key for n in world.told("owner_unreachable")) == ["owner_unreachable:1:h0",
                                                                     "owner_unreachable:1:h1"]
