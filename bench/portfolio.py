"""A portfolio of commitments COPYed straight into a tracker database, for the benches that need
many rows (the scan's and the auditor's): `due` of them three days overdue and owing notices today,
the rest active and quiet until their `next_action_on`."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

from services.common.clock import london_today
from services.common.db import make_engine
from services.tracker.bootstrap import migrate
from services.tracker.domain import Policy

COLUMNS = ("id, recommendation_id, panel, action, done_means, owner_role, owner_email, escalation, agreed_on, due, "
           "original_due, due_version, update_every_days, ladder_since, status, update_count, disputes, "
           "completions, policy, next_action_on")
LADDER = json.dumps({"supervisor": "s@example.org", "senior_lead": "l@example.org", "board": "b@example.org"})


def fill(url: str, total: int, due: int, *, quiet_agreed_days_ago: int = 30, quiet_next_in_days: int = 30) -> None:
    """Migrate the database at `url` and COPY `total` commitments (and their recommendations) into it."""
    engine = make_engine(url)
    migrate(engine)
    today = london_today()
    policy = json.dumps(Policy().model_dump(mode="json"))
    recs, rows = io.StringIO(), io.StringIO()
    for i in range(total):
        cid, rid = uuid.uuid4(), uuid.uuid4()
        due_now = i < due
        agreed = today - dt.timedelta(days=30 if due_now else quiet_agreed_days_ago)
        deadline = today - dt.timedelta(days=3) if due_now else today + dt.timedelta(days=60 + i % 200)
        nxt = today if due_now else today + dt.timedelta(days=quiet_next_in_days)
        recs.write(f"{rid}\tbench\t{agreed - dt.timedelta(days=10)}\tRecommendation {i}\t\t[]\tagreed\n")
        rows.write(f"{cid}\t{rid}\tbench\tAction {i}\tDone\tInspector\to{i % 50}@example.org\t{LADDER}\t"
                   f"{agreed}\t{deadline}\t{deadline}\t1\t30\t{agreed}\topen\t0\t0\t0\t{policy}\t{nxt}\n")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy("COPY tracker_recommendations (id, panel, raised_on, title, detail, themes, decision) "
                          "FROM STDIN") as copy:
                copy.write(recs.getvalue())
            with cur.copy(f"COPY tracker_commitments ({COLUMNS}) FROM STDIN") as copy:
                copy.write(rows.getvalue())
        raw.commit()
        with raw.cursor() as cur:
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
