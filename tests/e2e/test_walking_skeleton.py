"""One recommendation travels the whole way: intake → Kafka → tracker →
scheduler → Kafka → notifier → a real SMTP server."""

from __future__ import annotations

import datetime as dt
import time

import httpx

from services.tracker.clock import london_today
from tests.support.api import agreed_body, issue_token, panel_body


def test_an_overdue_commitment_reaches_owner_and_supervisor_once(services, database_url, smtp, uid):
    intake = services("intake")
    services("tracker")
    services("notifier")
    auth = {"Authorization": f"Bearer {issue_token(database_url)}"}

    r = httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)
    assert r.status_code == 201, r.text
    due = london_today() - dt.timedelta(days=5)
    posted = time.monotonic()
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=agreed_body(uid, due), headers=auth)
    assert r.status_code == 201, r.text
    commitment_id = r.json()["commitment_id"]

    owner, supervisor = f"owner-{uid}@example.org", f"supervisor-{uid}@example.org"
    mine = []
    while time.monotonic() - posted < 10 and len(mine) < 2:
        mine = [m for m in smtp.snapshot() if set(m.envelope_to) & {owner, supervisor}]
        time.sleep(0.1)
    arrived_after = time.monotonic() - posted
    assert len(mine) == 2, f"expected 2 emails within 10 s, got {len(mine)}"
    assert arrived_after < 10

    time.sleep(3)  # several more scans at 1 s: still nothing new
    mine = [m for m in smtp.snapshot() if set(m.envelope_to) & {owner, supervisor}]
    assert sorted(r for m in mine for r in m.envelope_to) == sorted([owner, supervisor])
    for m in mine:
        text = m.part("plain")
        assert "5 days overdue" in text
        assert "Brief every response officer" in text
        assert "Overdue by 5 days" in m.message["Subject"]
        assert m.part("html")
    owner_mail = next(m for m in mine if owner in m.envelope_to)
    assert f"/commitments/{commitment_id}/respond?token=" in owner_mail.part("plain")
