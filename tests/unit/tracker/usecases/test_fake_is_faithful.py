"""The in-memory storage keeps the database's promises: the same commands on it and on the
database (SQLite here; tests/integration/tracker runs PostgreSQL) leave the same rows, the same
timeline entries, the same notices and the same events, a refused command included."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.tracker.adapters import store
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import migrate
from services.tracker.usecases import actions, replies
from services.tracker.usecases.errors import Incomplete
from tests.unit.tracker.usecases.conftest import TODAY, World
from tests.unit.tracker.usecases.test_actions import DONE, UPDATE


def _utc(value):
    """SQLite hands back naive datetimes (UTC): compare instants."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _story(world: World) -> tuple[str, str]:
    """One commitment through most commands, and a declined recommendation insisted on."""
    event = world.agree(due_in=30)
    cid = event["data"]["commitment"]["id"]
    world.run(cid, actions.post_update, **dict(UPDATE, track="significant_delay", delay_reason="Short staffed"),
              recorder=world.recorder)
    world.run(cid, actions.extend, new_due=TODAY + dt.timedelta(days=200), reason="A new contract",
              recorder=world.recorder)
    world.run(cid, actions.approve_extension, recorder=world.recorder)
    world.run(cid, actions.hand_over, role="Sergeant", email="sam@example.org", name="Sam", reason="Moved",
              recorder=world.recorder)
    with pytest.raises(Incomplete):
        world.run(cid, actions.post_update, **dict(DONE, summary=None))
    world.run(cid, actions.post_update, **DONE)
    world.run(cid, actions.verdict, verdict="confirmed", comment="Seen it")
    world.later(10)
    world.run(cid, actions.reopen, comment="It stopped", recorder=world.recorder)
    rec = world.recommendation()
    world.decline(rec)
    replies.reply(world.storage, world.clock, world.policies, world.recorder, str(rec.id), reply="insist",
                  comment="Please")
    return cid, str(rec.id)


def _from_fake(world: World, cid: str, rid: str) -> dict:
    s = world.storage
    return {"commitment": {k: _utc(v) for k, v in s.commitments.rows[cid].items() if k != "created_at"},
            "recommendation": {k: _utc(v) for k, v in s.recommendations.rows[rid].items()},
            "timeline": [(e["seq"], e["kind"], e["entry"]) for e in s.timeline[cid]],
            "notices": sorted(key for _, key in s.notices),
            "events": sorted((e["type"], e["subject"]) for e in s.events if e["type"] != "notice.requested")}


def _from_database(engine, cid: str, rid: str) -> dict:
    with Session(engine) as s:
        row = s.execute(select(store.commitments).where(store.commitments.c.id == cid)).one()._asdict()
        rec = s.execute(select(store.recommendations).where(store.recommendations.c.id == rid)).one()._asdict()
        chain = s.execute(select(store.timeline).where(store.timeline.c.commitment_id == cid)
                          .order_by(store.timeline.c.seq)).all()
        keys = s.execute(select(store.notices.c.key)).scalars().all()
        events = [json.loads(p) for p in s.execute(select(store.outbox.c.payload)).scalars()]
    return {"commitment": {k: _utc(v) for k, v in row.items() if k != "created_at"},
            "recommendation": {k: _utc(v) for k, v in rec.items()},
            "timeline": [(e.seq, e.kind, e.entry) for e in chain],
            "notices": sorted(keys),
            "events": sorted((e["type"], e["subject"]) for e in events if e["type"] != "notice.requested")}


def test_the_same_story_leaves_the_same_state_in_memory_and_in_the_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    migrate(engine)
    try:
        in_memory, database = World(), World(SqlStorage(engine))
        fake_ids, sql_ids = _story(in_memory), _story(database)
        fake, sql = _from_fake(in_memory, *fake_ids), _from_database(engine, *sql_ids)
    finally:
        engine.dispose()
    # Ids are new in each story (uuid4): compare the state with them set aside.
    for state in (fake, sql):
        for row in (state["commitment"], state["recommendation"]):
            row.pop("id"), row.pop("recommendation_id", None), row.pop("counter_to", None)
        state["events"] = [t for t, _ in state["events"]]
    assert fake["commitment"] == sql["commitment"]
    assert fake["recommendation"] == sql["recommendation"]
    assert fake["timeline"] == sql["timeline"]
    assert fake["notices"] == sql["notices"] and fake["events"] == sql["events"]
    assert len(fake["notices"]) >= 5  # early warning, extension request, handover, reopened, insisted
