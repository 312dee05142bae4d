"""The trust pulse's use case on SQLite: counts per (panel, month) only, each answer's event in the
outbox with the period's totals (counts only from 5 answers), and the panel's code checked by slug."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas import parse_event
from schemas.models import PULSE_MIN_ANSWERS
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.tracker.adapters.store import access_failures, outbox, pulse
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import migrate
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases.access import AccessCodes
from services.tracker.usecases.errors import NotFound, TooManyAttempts, WrongCode
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event, panel_code, panel_event

UID = "unitpulse"
SLUG = f"panel-{UID}"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    migrate(engine)
    handlers = Handlers(SqlStorage(engine), load_policy_file(None))
    for event in (panel_event(UID), panel_event("other"), agreed_event(UID, dt.date(2026, 12, 1))):
        handlers.handle(*parse_event(json.dumps(event).encode()))
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return SimulatedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc))


def _events(engine) -> list[dict]:
    with Session(engine) as s:
        rows = s.execute(select(outbox.c.topic, outbox.c.key, outbox.c.payload).order_by(outbox.c.id)).all()
    return [{"topic": r.topic, "key": r.key, **json.loads(r.payload)} for r in rows
            if r.topic == "followthrough.pulses"]


def test_answers_are_counts_per_panel_and_month_with_no_row_per_answer(engine, clock):
    answers = [(5, "yes"), (4, "yes"), (1, "no"), (3, "not_sure"), (4, "no"), (2, "yes")]
    for trust, kept in answers:
        counts = pulse_uc.record(SqlStorage(engine), clock, SLUG, trust, kept)
    assert counts.period == "2026-11" and counts.answers == 6 and counts.counted == 5  # shown: the first five
    assert counts.trust == (1, 0, 1, 2, 1) and counts.kept == {"yes": 2, "no": 2, "not_sure": 1}
    with Session(engine) as s:
        (row,) = s.execute(select(pulse)).all()  # one row, the running counts beside the shown ones
    assert (row.answers, row.trust_2, row.kept_yes) == (6, 1, 3) and (row.shown_answers, row.shown_trust_2) == (5, 0)
    clock.set(dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc))
    assert pulse_uc.record(SqlStorage(engine), clock, SLUG, 3, "yes").period == "2026-12"
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(pulse)).scalar() == 2
    with pytest.raises(NotFound):
        pulse_uc.record(SqlStorage(engine), clock, "no-such-panel", 3, "yes")


def test_each_answer_queues_the_periods_totals_and_counts_only_from_five_answers(engine, clock):
    for trust in (5, 4, 3, 2, 1):
        pulse_uc.record(SqlStorage(engine), clock, SLUG, trust, "yes")
    events = _events(engine)
    assert [e["type"] for e in events] == ["pulse.recorded"] * 5
    assert {e["key"] for e in events} == {SLUG} and all(e["subject"] == SLUG for e in events)
    assert [e["data"]["answers"] for e in events] == [1, 2, 3, 4, 5]
    for early in events[:PULSE_MIN_ANSWERS - 1]:
        assert early["data"]["trust"] is None and early["data"]["kept"] is None
    assert events[-1]["data"] == {"panel": SLUG, "period": "2026-11", "answers": 5, "min_answers": 5, "counted": 5,
                                  "trust": [1, 1, 1, 1, 1], "kept": {"yes": 5, "no": 0, "not_sure": 0}}
    assert panel_code(UID) not in json.dumps(events)
    for e in events:
        parse_event(json.dumps({k: v for k, v in e.items() if k not in ("topic", "key")}).encode(),
                    topic="followthrough.pulses")


def test_results_show_from_five_answers_per_panel_and_month(engine, clock):
    for _ in range(4):
        pulse_uc.record(SqlStorage(engine), clock, SLUG, 4, "yes")
    for _ in range(3):
        pulse_uc.record(SqlStorage(engine), clock, "panel-other", 1, "no")
    with Session(engine) as s:
        assert pulse_uc.shown_periods(s, SLUG) == [] and pulse_uc.shown_periods(s) == []
    pulse_uc.record(SqlStorage(engine), clock, SLUG, 2, "no")
    with Session(engine) as s:
        (mine,) = pulse_uc.shown_periods(s, SLUG)
        (everyone,) = pulse_uc.shown_periods(s)  # the other panel's 3 answers stay hidden
    assert mine.answers == everyone.answers == 5
    assert mine.mean_trust == pytest.approx(3.6) and mine.kept_yes_percent == 80


def test_the_panels_code_is_checked_by_slug_and_wrong_codes_are_limited(engine, clock):
    codes = AccessCodes(SqlStorage(engine), clock, allowed=3)
    codes.check_panel(SLUG, panel_code(UID), "client-a")
    with pytest.raises(NotFound):
        codes.check_panel("no-such-panel", panel_code(UID), "client-a")
    with pytest.raises(WrongCode):
        codes.check_panel(SLUG, panel_code("other"), "client-a")  # another panel's code
    for _ in range(2):
        with pytest.raises(WrongCode):
            codes.check_panel(SLUG, "guess", "client-a")
    with pytest.raises(TooManyAttempts):
        codes.check_panel(SLUG, panel_code(UID), "client-a")
    codes.check_panel(SLUG, panel_code(UID), "client-b")  # a stranger locks out only themselves
    with Session(engine) as s:
        counted = s.execute(select(access_failures.c.failures)).scalars().all()
    assert counted == [3]  # one row for client-a: its three wrong codes
    # The commitment's check still works, on the same count for the panel and client.
    with Session(engine) as s:
        from services.tracker.adapters.store import commitments
        cid = s.execute(select(commitments.c.id)).scalar()
    codes.check(cid, panel_code(UID), "client-c")
    with pytest.raises(TooManyAttempts):
        codes.check(cid, panel_code(UID), "client-a")
