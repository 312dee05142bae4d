"""The panels' chains on SQLite and PostgreSQL: a replayed database rebuilds the same hashes from the
events (replies through `replies.restore`, pulse steps through `panel_chain.append_pulse_step`), an
event seen twice is chained once, two writers racing for a chain's next seq both get one, and the
migration chains what an upgraded database already stored."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock, utcnow
from services.common.db import make_engine
from services.tracker.adapters import panel_chain, store
from services.tracker.adapters.store import outbox
from services.tracker.adapters.store import panel_chain as chain_table
from services.tracker.adapters.store import pulse as pulse_table
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import MIGRATIONS, bootstrap, migrate
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import panelaudit, pulse, replies
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event, panel_event
from tests.support.replies import declined_event

UID = "chained"
SLUG = f"panel-{UID}"


def _ingest(engine, *events) -> None:
    for event in events:
        Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))


def _chains(engine) -> list[tuple]:
    t = chain_table.c
    with engine.connect() as conn:
        return conn.execute(sa.select(t.chain, t.seq, t.ref, t.kind, t.prev_hash, t.hash)
                            .order_by(t.chain, t.seq)).all()


def _events(engine, topic: str) -> list:
    with engine.connect() as conn:
        payloads = conn.execute(sa.select(outbox.c.payload).where(outbox.c.topic == topic).order_by(outbox.c.id))
        return [parse_event(p.encode()) for p in payloads.scalars()]


@pytest.fixture
def replayed(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'replayed.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_replayed_database_rebuilds_the_same_chains(engine, replayed):
    clock = SimulatedClock(utcnow())
    tracker = bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False)
    first = [panel_event(UID), declined_event(UID), agreed_event(UID, clock.today())]
    for db in (engine, replayed):
        _ingest(db, *first)
    declined, agreed = first[1]["subject"], first[2]["subject"]
    replies.reply(SqlStorage(engine), clock, tracker.policies, tracker.recorder, declined, reply="insist",
                  comment="Please think again.")
    replies.reply(SqlStorage(engine), clock, tracker.policies, tracker.recorder, agreed, reply="accept", comment="")
    for n in range(12):
        pulse.record(SqlStorage(engine), clock, SLUG, 1 + n % 5, "yes")
    assert panelaudit.audit(engine, SLUG)["intact"] is True

    for envelope, data in _events(engine, "followthrough.replies"):
        for _ in range(2):  # a consumer retried: the reply and its entry once
            replies.restore(SqlStorage(replayed), str(envelope.id), envelope.time, data)
    with Session(replayed) as s, s.begin():
        for envelope, data in _events(engine, "followthrough.pulses"):
            # every event: those that publish no counts are no step, those after a step find it chained
            panel_chain.append_pulse_step(s, data.panel, data, envelope.time)
    live = _chains(engine)
    assert [(c, seq, kind) for c, seq, _, kind, *_ in live] == [
        (f"pulse:{SLUG}", 1, "pulse_step"), (f"pulse:{SLUG}", 2, "pulse_step"),
        *sorted([(f"replies:{agreed}", 1, "reply"), (f"replies:{declined}", 1, "reply")])]
    assert _chains(replayed) == live
    with engine.connect() as conn:  # the shown counts, as the pulse's own restore brings them back
        rows = [dict(r._mapping) for r in conn.execute(sa.select(pulse_table))]
    with replayed.begin() as conn:
        conn.execute(sa.insert(pulse_table), rows)
    assert panelaudit.audit(replayed, SLUG) == panelaudit.audit(engine, SLUG) == {
        "intact": True, "entries": 4, "chains": 3}


def _step(counted: int) -> SimpleNamespace:
    return SimpleNamespace(period="2026-11", counted=counted, trust=(counted, 0, 0, 0, 0),
                           kept={"yes": counted, "no": 0, "not_sure": 0})


def test_two_writers_racing_for_the_next_seq_both_append_and_a_step_again_is_kept_once(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    at, done = utcnow(), []

    def second() -> None:
        with Session(engine) as b, b.begin():
            done.append(panel_chain.append_pulse_step(b, SLUG, _step(10), at))

    with Session(engine) as a, a.begin():
        panel_chain.append_pulse_step(a, SLUG, _step(5), at)  # seq 1, not yet committed
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=1.5)
        assert racer.is_alive(), "the second writer waits on the first one's seq 1"
    racer.join(timeout=20)
    assert [r["seq"] for r in done] == [2]
    with Session(engine) as s, s.begin():
        again = panel_chain.append_pulse_step(s, SLUG, _step(5), utcnow())
    assert (again["seq"], again["at"]) == (1, at)  # the same step: the record from before
    assert [(seq, ref) for _, seq, ref, *_ in _chains(engine)] == [(1, "2026-11:5"), (2, "2026-11:10")]
    with engine.begin() as conn:  # the shown counts of that period, as the step says
        conn.execute(sa.text("INSERT INTO tracker_panels (slug, name, area, police_lead, escalation) "
                             "VALUES (:s, 'n', 'a', '{}', '{}')"), {"s": SLUG})
        conn.execute(sa.text("INSERT INTO tracker_pulse (panel, period, answers, shown_answers, shown_trust_1, "
                             "shown_kept_yes) VALUES (:s, '2026-11', 10, 10, 10, 10)"), {"s": SLUG})
    assert panelaudit.audit(engine, SLUG) == {"intact": True, "entries": 2, "chains": 1}
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'tracker.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_the_migration_chains_the_replies_and_shown_counts_already_stored(unmigrated):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with unmigrated.begin() as conn:
        cfg.attributes.update(connection=conn, version_table="tracker_alembic_version", metadata=store.metadata)
        command.upgrade(cfg, "8d3f1a6c4e27")  # the head before the panels' chains
    at = utcnow()
    with unmigrated.begin() as conn:
        # The panel as that release stored it: today's code writes columns it did not have yet.
        conn.execute(sa.text("INSERT INTO tracker_panels (slug, name, area, police_lead, escalation) "
                             "VALUES (:slug, 'Panel', 'Area', '{}', '{}')"), {"slug": SLUG})
        conn.execute(sa.insert(store.replies), [dict(
            id=f"00000000-0000-4000-8000-00000000000{n}", recommendation_id="r1", panel=SLUG, decision="declined",
            round=n, reply="insist", comment=f"round {n}", respond_by=at.date(), counter_id=None, at=at)
            for n in (1, 2)])
        conn.execute(sa.insert(store.pulse), [{"panel": SLUG, "period": "2026-11", "answers": 7,
                                               "shown_answers": 5, "shown_trust_4": 5, "shown_kept_no": 5}])
    migrate(unmigrated)
    assert [(c, seq) for c, seq, *_ in _chains(unmigrated)] == [
        (f"pulse:{SLUG}", 1), ("replies:r1", 1), ("replies:r1", 2)]
    assert panelaudit.audit(unmigrated, SLUG) == {"intact": True, "entries": 3, "chains": 2}
