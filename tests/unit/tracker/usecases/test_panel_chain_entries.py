"""What the reply and pulse use cases put in the panels' chains, on the in-memory storage: a reply once,
at its event's time, the same when restored from the event; a pulse step only when the shown counts
move, holding those counts and never the running ones."""

from __future__ import annotations

import datetime as dt
import json

from schemas import parse_event
from schemas.models import PulseRecorded
from services.tracker.domain import panelchain
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases import replies
from tests.unit.tracker.usecases.conftest import SLUG, World

PULSE = panelchain.pulse_chain(SLUG)


def test_a_reply_is_chained_once_at_its_events_time_and_restored_to_the_same_hash(world):
    rec = world.recommendation()
    declined = world.decline(rec)
    replies.reply(world.storage, world.clock, world.policies, world.recorder, str(rec.id), reply="insist",
                  comment="It matters to us")
    [event] = world.storage.events_of("recommendation.replied")
    [record] = world.storage.panel_chain[panelchain.reply_chain(str(rec.id))]
    assert (record["seq"], record["ref"], record["kind"]) == (1, event["id"], "reply")
    assert record["at"] == dt.datetime.fromisoformat(event["time"])
    assert record["entry"]["comment"] == "It matters to us" and record["entry"]["round"] == 1

    again = World()
    again.feed(declined)
    envelope, data = parse_event(json.dumps(event).encode())
    for _ in range(2):
        replies.restore(again.storage, str(envelope.id), envelope.time, data)
    assert again.storage.panel_chain == world.storage.panel_chain


def test_a_pulse_step_is_chained_only_when_the_shown_counts_move(world):
    for n in range(12):
        pulse_uc.record(world.storage, world.clock, SLUG, 1 + n % 5, ("yes", "no", "not_sure")[n % 3])
    steps = world.storage.panel_chain[PULSE]
    assert [(r["seq"], r["ref"]) for r in steps] == [(1, "2026-11:5"), (2, "2026-11:10")]
    stepped = {e["data"]["answers"]: e for e in world.storage.events_of("pulse.recorded")}
    for record in steps:
        event = stepped[record["entry"]["counted"]]  # the answer that moved the shown counts
        data = PulseRecorded(**event["data"])
        assert record["entry"] == panelchain.pulse_entry(data.period, data.counted, data.trust,
                                                         data.kept.model_dump())[1]
        assert record["at"] == dt.datetime.fromisoformat(event["time"])
    assert sum(steps[-1]["entry"]["trust"]) == 10  # the shown counts, not the 12 answered
