"""The migrations that let a decision be yes in principle, on SQLite and PostgreSQL, both services: old rows
keep their decisions, a yes in principle is stored with its reason and decide_by, and going back turns it
into a pending recommendation that still owes its answer by decide_by."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, column, insert, select, table

from services.common.db import make_engine
from services.intake import app as intake_app
from services.intake.adapters import tables as intake_tables
from services.tracker.adapters import store
from services.tracker.bootstrap import MIGRATIONS

DAY = dt.date(2026, 12, 4)
SERVICES = {
    "tracker": (MIGRATIONS, store.metadata, "tracker_recommendations", "c8a2e6f4d1b9"),
    "intake": (intake_app.MIGRATIONS, intake_tables.metadata, "intake_recommendations", "d4b9f1e7a2c6"),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'db.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _columns(*names: str) -> list:
    return [column(n, JSON) if n == "themes" else column(n) for n in names]


def _move(engine, service: str, revision: str, down: bool = False) -> None:
    migrations, metadata, _, _ = SERVICES[service]
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    with engine.begin() as conn:
        cfg.attributes.update(connection=conn, version_table=f"{service}_alembic_version", metadata=metadata)
        (command.downgrade if down else command.upgrade)(cfg, revision)


@pytest.mark.parametrize("service", SERVICES)
def test_yes_in_principle_is_stored_and_going_back_leaves_it_owing_its_answer(engine, service):
    _, _, name, revision = SERVICES[service]
    _move(engine, service, f"{revision}-1")
    base = {"panel": "p", "raised_on": DAY, "title": "T", "detail": "", "themes": [], "respond_by": DAY}
    with engine.begin() as conn:
        conn.execute(insert(table(name, *_columns("id", "decision", *base))),
                     [{"id": "old", "decision": "declined", **base}])
    _move(engine, service, "head")
    rows = table(name, *_columns("id", "decision", "principle_reason", "decide_by", *base))
    by = DAY + dt.timedelta(days=30)
    with engine.begin() as conn:
        conn.execute(insert(rows), [{**base, "id": "new", "decision": "in_principle",
                                     "principle_reason": "Money first.", "decide_by": by}])
        found = conn.execute(select(rows.c.id, rows.c.decision, rows.c.principle_reason).order_by(rows.c.id)).all()
    assert [tuple(r) for r in found] == [("new", "in_principle", "Money first."), ("old", "declined", None)]

    _move(engine, service, f"{revision}-1", down=True)
    back = table(name, *map(column, ("id", "decision", "respond_by")))
    with engine.begin() as conn:
        found = {r.id: (r.decision, r.respond_by) for r in conn.execute(select(back.c.id, back.c.decision,
                                                                                back.c.respond_by))}
    assert found["old"][0] == "declined" and found["new"][0] == "pending"
    if service == "tracker":  # the tracker's clock: still owed, by decide_by
        assert str(found["new"][1]) == by.isoformat()
