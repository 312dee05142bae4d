"""`followthrough replay` into an empty database reproduces the live state."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

import httpx
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.replies import declined_event
from tests.support.stack import REPO

TABLES = {
    "tracker_panels": "slug",
    "tracker_recommendations": "id",
    "tracker_commitments": "id",
    "tracker_timeline": "commitment_id, seq",
    "tracker_notices": "id",
    "tracker_processed_events": "event_id",
    "tracker_replies": "id",
}
DERIVED = {"next_action_on", "created_at", "processed_at", "id"}  # recomputed by the next scan / surrogate keys


def _snapshot(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    out = {}
    with engine.connect() as conn:
        for table, order in TABLES.items():
            rows = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}")).mappings().all()
            keep_id = table != "tracker_timeline"
            out[table] = [{k: v for k, v in r.items() if k not in DERIVED or (k == "id" and keep_id)} for r in rows]
    return out


def _wait_for(url: str, ok, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok(httpx.get(url)):
            return
        time.sleep(0.2)
    raise AssertionError(f"{url} never reached the expected state")


def test_replay_reproduces_the_live_state(services, stack, database_url, uid, prefix):
    tracker = services("tracker")
    today = london_today()
    publish(stack.bootstrap, panel_event(uid), prefix)
    events = [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-45, -3, 5, 20, 30, 60)]
    for e in events:
        publish(stack.bootstrap, e, prefix)
    ids = [e["data"]["commitment"]["id"] for e in events]
    for cid in ids:
        _wait_for(f"{tracker.url}/api/v1/commitments/{cid}", lambda r: r.status_code == 200)

    code = panel_code(uid)  # its digest came with the panel's event
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    base = f"{tracker.url}/api/v1/commitments"
    done = {"note": "Done", "done": True, "evidence_note": "Attendance list", "summary": "Everyone was briefed."}
    steps = [
        (ids[0], "updates", {"note": "Started at last", "percent": 10}),
        (ids[1], "updates", done),
        (ids[1], "verdict", {"verdict": "disputed", "comment": "Not really", "access_code": code}),
        (ids[2], "extensions", {"new_due": (today + dt.timedelta(days=50)).isoformat(), "reason": "Booked"}),
        (ids[3], "owner", {"role": "Inspector, north", "email": "north@example.org", "reason": "Moved"}),
        (ids[4], "withdrawal", {"reason": "Scheme closed"}),
        (ids[5], "updates", done),
        (ids[5], "verdict", {"verdict": "confirmed", "comment": "Yes", "access_code": code}),
        # Closing the loop: an early significant delay (the supervisor told), and a kept promise reopened.
        (ids[2], "updates", {"note": "Trainer away", "track": "significant_delay",
                             "delay_reason": "The trainer is away until March."}),
        (ids[5], "reopen", {"comment": "It stopped working", "access_code": code}),
    ]
    for cid, action, body in steps:
        r = httpx.post(f"{base}/{cid}/{action}", json=body, headers=admin)
        assert r.status_code == 200, (action, r.text)
    # The panel's replies: insist on a decline (a new answer round), counter a withdrawal, accept a promise.
    declined = declined_event(uid)
    publish(stack.bootstrap, declined, prefix)
    replies = f"{tracker.url}/api/v1/recommendations"
    _wait_for(f"{replies}/{declined['subject']}", lambda r: r.status_code == 200)
    for rec_id, body in ((declined["subject"], {"reply": "insist", "comment": "Please ask again"}),
                         (events[4]["subject"], {"reply": "counter", "title": "Run it for one term"}),
                         (events[2]["subject"], {"reply": "accept"})):
        r = httpx.post(f"{replies}/{rec_id}/reply", json={**body, "access_code": code})
        assert r.status_code == 201, r.text
    time.sleep(4)  # a few scans at 1 s: the dispute and back-on-track notices are decided
    live = _snapshot(database_url)
    assert len(live["tracker_replies"]) == 3
    assert len(live["tracker_notices"]) >= 3

    target = stack.new_database()
    result = subprocess.run([sys.executable, "-m", "services.cli", "replay"], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": target, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
                                 "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"replaying .* (\d+)/\1", result.stdout), result.stdout  # the progress bar, at its end
    replayed = _snapshot(target)
    for table in TABLES:
        assert replayed[table] == live[table], table

    again = subprocess.run([sys.executable, "-m", "services.cli", "replay"], cwd=REPO, capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": target, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
                                "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}, timeout=120)
    assert again.returncode == 1 and "empty database" in again.stderr
