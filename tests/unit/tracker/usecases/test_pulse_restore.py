"""Restoring the trust pulse from its events (usecases/pulse_restore.py): answers given through the real
use case on the in-memory storage publish `pulse.recorded` events; folded in any order, those events
give back every count a page reads (answers so far, the shown copy), and each step once."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.models import PULSE_MIN_ANSWERS, PulseRecorded
from services.common.db import make_engine
from services.tracker.adapters.store import PULSE_COUNTS, pulse
from services.tracker.bootstrap import migrate
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases import pulse_restore
from tests.unit.tracker.usecases.conftest import SLUG, World

ANSWER = st.tuples(st.integers(1, 5), st.sampled_from(pulse_uc.KEPT), st.integers(0, 40))  # (trust, kept, day)
READS = ("answers", *(f"shown_{name}" for name in PULSE_COUNTS))  # what pages, register and events read


def _answered(answers) -> tuple[World, list[tuple[dt.datetime, PulseRecorded]]]:
    world = World()
    start = world.clock.today()
    for trust, kept, day in sorted(answers, key=lambda a: a[2]):
        world.clock.set_day(start + dt.timedelta(days=day), 12)
        pulse_uc.record(world.storage, world.clock, SLUG, trust, kept)
    events = [(dt.datetime.fromisoformat(e["time"]), PulseRecorded.model_validate(e["data"]))
              for e in world.storage.events_of("pulse.recorded")]
    return world, events


@settings(max_examples=40, deadline=None)
@given(st.lists(ANSWER, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_the_events_in_any_order_give_back_every_count_a_page_reads(answers, rnd: random.Random):
    world, events = _answered(answers)
    rnd.shuffle(events)  # partitions are read one after another: the fold must not depend on order
    restored = {(e.panel, e.period): pulse_restore.row(e) for e in pulse_restore.latest(events).values()}
    assert restored.keys() == world.storage.pulse.keys()
    for key, live in world.storage.pulse.items():
        row = restored[key]
        assert {n: row[n] for n in READS} == {n: live[n] for n in READS}, key
        # The running counts: the shown ones; the answers since the last step were never published.
        assert all(row[n] == live[f"shown_{n}"] for n in PULSE_COUNTS if n != "answers")


@settings(max_examples=30, deadline=None)
@given(st.lists(ANSWER, min_size=1, max_size=30))
def test_each_step_of_the_shown_counts_is_found_once_with_what_it_showed(answers):
    world, events = _answered(answers)
    steps = pulse_restore.steps(events + events[:3])  # a redelivered event is no new step
    want = sum(row["answers"] // PULSE_MIN_ANSWERS for row in world.storage.pulse.values())
    assert len(steps) == want
    for s in steps:
        assert s.counted % PULSE_MIN_ANSWERS == 0 and sum(s.trust) == sum(s.kept.values()) == s.counted
    last = {(s.panel, s.period): s for s in steps}
    for (panel, period), s in last.items():
        live = world.storage.pulse[(panel, period)]
        assert s.counted == live["shown_answers"] and list(s.trust) == [live[f"shown_trust_{n}"] for n in
                                                                          pulse_uc.TRUST]


def test_restore_writes_a_row_per_month_and_hands_each_step_to_the_hook(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    migrate(engine)
    answers = [(n % 5 + 1, pulse_uc.KEPT[n % 3], 0 if n < 12 else 40) for n in range(15)]  # 12, then 3 next month
    world, events = _answered(answers)
    seen = []
    assert pulse_restore.restore(engine, events, on_step=lambda session, step: seen.append(step)) == 2
    assert [(s.period, s.counted) for s in seen] == [("2026-11", 5), ("2026-11", 10)]
    with engine.connect() as conn:
        rows = {(r.panel, r.period): r._mapping for r in conn.execute(pulse.select())}
    for key, live in world.storage.pulse.items():
        assert {n: rows[key][n] for n in READS} == {n: live[n] for n in READS}
    engine.dispose()
