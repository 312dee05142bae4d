"""The migration that adds the trust pulse's shown counts, on SQLite and PostgreSQL: a month that was
already public stays shown as it was, a month below 5 answers stays hidden, and the shown counts of
a month caught between steps move only after 5 more answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, select, table
from sqlalchemy.orm import Session

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.tracker.adapters import store
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import MIGRATIONS, migrate
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases.ingest import Handlers
from tests.support.events import panel_event

BEFORE = "c4e8a1f6b203"  # the trust pulse's running counts, and nothing shown apart
SLUG = "panel-migrated"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'tracker.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _upgrade_to(engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes.update(connection=conn, version_table="tracker_alembic_version", metadata=store.metadata)
        command.upgrade(cfg, revision)


def test_public_months_stay_shown_and_the_next_move_waits_for_five_more(engine):
    _upgrade_to(engine, BEFORE)
    old = {"trust_1": 2, "trust_2": 2, "trust_3": 3, "trust_4": 3, "trust_5": 3,
           "kept_yes": 5, "kept_no": 4, "kept_not_sure": 4}
    with engine.begin() as conn:
        conn.execute(insert(table("tracker_pulse", *map(column, ("panel", "period", *store.PULSE_COUNTS)))), [
            {"panel": SLUG, "period": "2026-11", "answers": 13, **old},
            {"panel": SLUG, "period": "2026-12", "answers": 3, **dict.fromkeys(old, 0), "trust_5": 3, "kept_yes": 3}])
    migrate(engine)
    Handlers(SqlStorage(engine), load_policy_file(None)).handle(
        *parse_event(json.dumps(panel_event("migrated")).encode()))
    with Session(engine) as s:
        (november,) = pulse_uc.shown_periods(s, SLUG)  # December's 3 answers stay hidden
    assert (november.period, november.answers, november.counted) == ("2026-11", 13, 13)
    assert november.trust == (2, 2, 3, 3, 3) and november.kept == {"yes": 5, "no": 4, "not_sure": 4}
    clock = SimulatedClock(dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc))
    counted = [pulse_uc.record(SqlStorage(engine), clock, SLUG, 1, "no").counted for _ in range(5)]
    assert counted == [13, 13, 13, 13, 18]
    clock.set(dt.datetime(2026, 12, 2, 12, tzinfo=dt.timezone.utc))
    assert [pulse_uc.record(SqlStorage(engine), clock, SLUG, 1, "no").counted for _ in range(2)] == [0, 5]
    with Session(engine) as s:
        assert s.execute(select(store.pulse.c.shown_answers).order_by(store.pulse.c.period)).scalars().all() == [18, 5]
