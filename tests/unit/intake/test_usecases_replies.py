"""What intake does with the panels' replies, on the in-memory storage: each reply once, an
insist reopens only a decline still standing, a counter becomes a pending recommendation. The
consumer on Kafka and PostgreSQL: tests/integration/intake/test_decline_codes_and_replies.py."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from schemas import RecommendationReplied, make_event
from schemas.envelope import parse_event
from services.common.consumer import Rejected
from services.intake.usecases.replies import ReplyHandlers
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
REC = str(uuid.uuid4())


def _storage(decision: str = "declined") -> tuple[FakeStorage, list[int]]:
    storage, woken = FakeStorage(), []
    storage.state.recommendations[REC] = {"id": REC, "panel": "p1", "raised_on": dt.date(2026, 2, 1), "title": "T",
                                          "detail": "", "themes": [], "decision": decision,
                                          "respond_by": None, "counter_to": None}
    return storage, woken


def _reply(reply: str, decision: str = "declined", counter: dict | None = None, event_id: uuid.UUID | None = None):
    data = RecommendationReplied(recommendation_id=uuid.UUID(REC), panel="p1", decision=decision, reply=reply,
                                 comment="We still want this.", respond_by=dt.date(2026, 4, 1), counter=counter)
    raw = make_event("recommendation.replied", REC, data, source="followthrough/tracker", event_id=event_id,
                     time=NOW)
    return parse_event(json.dumps(raw).encode())


def _handle(storage, *replies, woken=None):
    ReplyHandlers(storage, wake=lambda: woken.append(1) if woken is not None else None).handle_many(list(replies))


def test_insisting_on_a_decline_makes_it_pending_again_with_the_new_date():
    storage, woken = _storage()
    _handle(storage, _reply("insist"), woken=woken)
    row = storage.state.recommendations[REC]
    assert row["decision"] == "pending" and row["respond_by"] == dt.date(2026, 4, 1)
    assert woken == [1]  # the outbox relay is told, though nothing was published


def test_a_reply_read_again_is_applied_once():
    storage, _ = _storage()
    reply = _reply("insist")
    _handle(storage, reply)
    storage.state.recommendations[REC]["decision"] = "agreed"  # decided anew since
    _handle(storage, reply)
    assert storage.state.recommendations[REC]["decision"] == "agreed"


@pytest.mark.parametrize("decision", ["agreed", "pending"])
def test_an_insist_never_reopens_a_decision_made_since(decision):
    storage, _ = _storage(decision)
    _handle(storage, _reply("insist"))
    assert storage.state.recommendations[REC]["decision"] == decision


def test_accepting_changes_nothing():
    storage, _ = _storage()
    _handle(storage, _reply("accept"))
    assert storage.state.recommendations[REC]["decision"] == "declined" and storage.events() == []


def test_a_counter_is_a_pending_recommendation_announced_once():
    storage, _ = _storage()
    counter = {"id": str(uuid.uuid4()), "title": "Monthly instead", "detail": "Once a month", "themes": ["respect"]}
    _handle(storage, _reply("counter", counter=counter))
    _handle(storage, _reply("counter", counter=counter))  # another event, the same proposal
    row = storage.state.recommendations[counter["id"]]
    assert row["decision"] == "pending" and row["counter_to"] == REC and row["respond_by"] == dt.date(2026, 4, 1)
    (event,) = storage.events("recommendation.recorded")
    assert event["data"]["counter_to"] == REC and event["data"]["recommendation"]["id"] == counter["id"]


def test_a_reply_to_an_unknown_recommendation_is_rejected_and_the_batch_kept_nothing():
    storage, _ = _storage()
    stranger = _reply("insist")
    stranger = (stranger[0], stranger[1].model_copy(update={"recommendation_id": uuid.uuid4()}))
    with pytest.raises(Rejected, match="no recommendation"):
        _handle(storage, _reply("insist"), stranger)
    assert storage.state.recommendations[REC]["decision"] == "declined" and storage.state.processed == set()


def test_another_event_type_is_rejected():
    storage, _ = _storage()
    envelope, _data = _reply("insist")
    with pytest.raises(Rejected, match="does not consume"):
        _handle(storage, (envelope, object()))
