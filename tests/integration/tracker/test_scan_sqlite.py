"""The scanner on SQLite, the demo's embedded database: once per key, however often it runs."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from schemas import parse_event
from services.common.db import make_engine
from services.tracker.app import migrate
from services.tracker.clock import london_today, utcnow
from services.tracker.domain.policy import load_policy_file
from services.tracker.handlers import Handlers
from services.tracker.scan import Scanner
from tests.support.events import agreed_event


def test_repeated_scans_decide_each_notice_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    policies = load_policy_file(None)
    today = london_today()
    for days in (-40, -16, -2, 3, 12, 90):
        event = agreed_event(f"x{days}", today + dt.timedelta(days=days), agreed_on=today - dt.timedelta(days=50))
        Handlers(engine, policies).handle(*parse_event(json.dumps(event).encode()))
    scanner = Scanner(engine, policies, "http://example.test", lambda cid, email: f"http://example.test/{cid}")
    first = scanner.run(utcnow())
    again = [scanner.run(utcnow()) for _ in range(3)]
    assert len(first.notices) == 6  # one per commitment: the highest step each has reached
    assert all(r.notices == [] for r in again)
    with engine.connect() as conn:
        kinds = sorted(conn.execute(sa.text("SELECT kind || ':' || level FROM tracker_notices")).scalars())
        statuses = sorted(conn.execute(sa.text("SELECT status FROM tracker_commitments")).scalars())
        events = conn.execute(sa.text("SELECT count(*) FROM tracker_outbox WHERE topic = 'followthrough.notices'")).scalar()
    assert kinds == ["escalation:2", "escalation:3", "overdue:1", "reminder:0", "reminder:0", "silent:0"]
    assert statuses.count("lapsed") == 1
    assert events == 6
