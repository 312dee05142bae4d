"""The migration that adds `kept_by` to the tracker's commitments, on SQLite and PostgreSQL: each
kept commitment is backfilled from its timeline (the last way into kept: a `confirmed` entry is the
panel's check, a `kept` entry is silence past the window), anything not kept gets none, and the
downgrade takes the column away again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from services.common.db import make_engine
from services.tracker.adapters import store
from services.tracker.bootstrap import MIGRATIONS, migrate

BEFORE = "c8a2e6f4d1b9"  # yes in principle: the revision before kept_by
DAY = dt.date(2026, 6, 1)
STORIES = {  # commitment: (status now, its timeline's kinds, kept_by expected)
    "confirmed": ("kept", ["agreed", "completed", "confirmed"], "panel"),
    "silence": ("kept", ["agreed", "completed", "kept"], "no_answer"),
    "confirmed-then-silence": ("kept", ["agreed", "completed", "confirmed", "reopened", "completed", "kept"],
                               "no_answer"),
    "silence-then-confirmed": ("kept", ["agreed", "completed", "kept", "reopened", "completed", "confirmed"],
                               "panel"),
    "reopened": ("in_progress", ["agreed", "completed", "confirmed", "reopened"], None),
    "waiting": ("done", ["agreed", "completed"], None),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'tracker.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _alembic(engine, how, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes.update(connection=conn, version_table="tracker_alembic_version", metadata=store.metadata)
        how(cfg, revision)


def _seed(conn) -> None:
    # The tables as typed today (JSON columns); an insert names only columns the older revision has.
    c, t = store.commitments, store.timeline
    for n, (cid, (status, kinds, _)) in enumerate(STORIES.items()):
        conn.execute(sa.insert(c).values(
            id=cid, recommendation_id=f"rec-{cid}", panel="panel-migrated", action="Brief officers",
            done_means="All briefed", owner_role="Inspector", owner_email="o@example.org",
            escalation={"supervisor": "s@example.org"}, agreed_on=DAY, due=DAY, original_due=DAY,
            due_version=1, update_every_days=30, ladder_since=DAY, status=status, update_count=0, disputes=0,
            completions=1, policy={}))
        for seq, kind in enumerate(kinds, 1):
            at = dt.datetime(2026, 6, 1 + seq, 12, n, tzinfo=dt.timezone.utc)
            conn.execute(sa.insert(t).values(commitment_id=cid, seq=seq, at=at, kind=kind, entry={},
                                             prev_hash="0" * 64, hash=f"{seq:064d}"))


def test_kept_by_is_backfilled_from_the_last_way_into_kept_and_the_downgrade_removes_it(engine):
    _alembic(engine, command.upgrade, BEFORE)
    with engine.begin() as conn:
        _seed(conn)
    migrate(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(sa.text("SELECT id, kept_by FROM tracker_commitments")).all())
    assert found == {cid: expected for cid, (_, _, expected) in STORIES.items()}
    _alembic(engine, command.downgrade, BEFORE)
    assert "kept_by" not in {col["name"] for col in sa.inspect(engine).get_columns("tracker_commitments")}
