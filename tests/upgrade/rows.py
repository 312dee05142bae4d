"""What an upgrade must keep, read straight from the database the services share: every row of
every table that holds a promise, its history, a notice, a delivery, a reply or a pulse, with
what it said, and when the system has finished what it was doing."""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa

KEPT = ("intake_panels", "intake_recommendations", "intake_processed_events",
        "tracker_panels", "tracker_recommendations", "tracker_commitments", "tracker_timeline", "tracker_notices",
        "tracker_processed_events", "tracker_delivery_failures", "tracker_replies", "tracker_pulse",
        "notifier_notices", "notifier_deliveries")
# The scan's own bookkeeping (the next day it looks at a row) moves on by design.
MOVING = {"next_action_on"}
OUTBOXES = ("intake_outbox", "tracker_outbox", "notifier_outbox")


def credential(column: str) -> bool:
    """Access code digests may be re-hashed by a migration; that they still work is checked by using them."""
    return "access_code" in column


Snapshot = dict[str, dict[str, list[str]]]  # table -> {"columns": [...], "rows": [json of each row]}


def snapshot(engine: sa.Engine) -> Snapshot:
    """Every row of the KEPT tables this database has, each as JSON of its columns."""
    inspector = sa.inspect(engine)
    out: Snapshot = {}
    with engine.connect() as conn:
        for table in KEPT:
            if not inspector.has_table(table):
                continue  # a table an older release did not have yet
            result = conn.execute(sa.text(f"SELECT * FROM {table}"))
            columns = list(result.keys())
            out[table] = {"columns": columns, "rows": [_row(r._asdict()) for r in result]}
    return out


def _row(values: dict) -> str:
    return json.dumps(values, sort_keys=True, default=str)


def lost(before: Snapshot, after: Snapshot) -> list[str]:
    """Each table, column or row of `before` that `after` no longer has as it was."""
    problems = []
    for table, old in before.items():
        if table not in after:
            problems.append(f"{table}: the table is gone")
            continue
        new_columns = set(after[table]["columns"])
        dropped = [c for c in old["columns"] if c not in new_columns and not credential(c)]
        problems += [f"{table}.{c}: the column is gone" for c in dropped]
        same = [c for c in old["columns"] if c in new_columns and c not in MOVING and not credential(c)]

        missing = _project(old["rows"], same) - _project(after[table]["rows"], same)
        problems += [f"{table}: lost or changed {row}" for row in list(missing.elements())[:5]]
    return problems


def _project(rows: list[str], columns: list[str]) -> Counter:
    return Counter(_row({c: json.loads(r)[c] for c in columns}) for r in rows)


def count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def settled(engine: sa.Engine, emails: int) -> str | None:
    """None when every service has done all it was asked: every outbox published, every
    recommendation as intake has it read by the tracker, every notice with the notifier and
    every delivery sent, each as one of the `emails` the SMTP server took. Else what is still
    going on."""
    inspector = sa.inspect(engine)
    for outbox in OUTBOXES:
        if inspector.has_table(outbox) and count(engine, f"SELECT count(*) FROM {outbox} WHERE published_at IS NULL"):
            return f"{outbox} has rows to publish"
    if count(engine, "SELECT count(*) FROM intake_recommendations i LEFT JOIN tracker_recommendations t "
                     "ON t.id = i.id WHERE t.decision IS DISTINCT FROM i.decision"):
        return "the tracker has not read every recommendation as intake has it"
    if count(engine, "SELECT count(*) FROM tracker_notices t LEFT JOIN notifier_notices n ON n.id = t.id "
                     "WHERE n.id IS NULL"):
        return "the notifier has not read every notice"
    if count(engine, "SELECT count(*) FROM notifier_deliveries WHERE state <> 'sent'"):
        return "deliveries are waiting"
    sent = count(engine, "SELECT count(*) FROM notifier_deliveries")
    if sent != emails:
        return f"{sent} deliveries sent, {emails} emails arrived"
    return None
