"""One recommendation travels the whole way: intake → Kafka → tracker →
scheduler → Kafka → notifier → a real SMTP server."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import httpx

from services.common.clock import london_today
from tests.support.api import agreed_body, issue_token, panel_body


def test_an_overdue_commitment_reaches_owner_and_supervisor_once(services, database_url, smtp, uid):
    intake = services("intake")
    tracker = services("tracker")
    notifier = services("notifier")
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
    notice_id = owner_mail.message["X-Followthrough-Notice"]

    # Every step of the path left a structured log line with its ids, and a metric.
    def lines(proc, event):
        return [json.loads(x) for x in proc.log().splitlines() if x.startswith("{") and f'"{event}"' in x]

    rec_id = r.json()["recommendation_id"]
    assert any(x["commitment_id"] == commitment_id for x in lines(intake, "recommendation.recorded"))
    assert lines(intake, "outbox.published")
    assert any(x["subject"] == rec_id for x in lines(tracker, "event.consumed"))
    assert any(x["notice_id"] == notice_id and x["commitment_id"] == commitment_id
               for x in lines(tracker, "notice.decided"))
    assert any(x["event_id"] == notice_id for x in lines(notifier, "event.consumed"))
    assert len([x for x in lines(notifier, "notice.sent") if x["notice_id"] == notice_id]) == 2
    metrics = {p.name: httpx.get(f"{p.url}/metrics").text for p in (intake, tracker, notifier)}
    for name, pattern in [
        ("intake", r'followthrough_recommendations_recorded_total\{decision="agreed"\} 1\.0'),
        ("intake", r'followthrough_outbox_published_total\{outbox="intake_outbox"\} [1-9]'),
        ("tracker",
         r'followthrough_events_consumed_total\{service="tracker",topic="followthrough.recommendations",'
         r'type="recommendation.agreed"\} 1\.0'),
        ("tracker", r'followthrough_notices_decided_total\{kind="overdue",level="1"\} 1\.0'),
        ("tracker", r"followthrough_scan_duration_seconds_count [1-9]"),
        ("notifier",
         r'followthrough_events_consumed_total\{service="notifier",topic="followthrough.notices",'
         r'type="notice.requested"\} 1\.0'),
        ("notifier", r'followthrough_emails_sent_total\{kind="overdue"\} 2\.0'),
    ]:
        assert re.search(pattern, metrics[name]), (name, pattern)

    # Consumer lag, measured from outside each consumer: everything consumed, so 0 on every topic.
    def lag(proc) -> dict[str, float]:
        text = httpx.get(f"{proc.url}/metrics").text
        return {t: float(v) for t,
                v in re.findall(r'followthrough_consumer_lag\{service="\w+",topic="([^"]+)"\} (\S+)', text)}
    deadline = time.monotonic() + 30
    def caught_up() -> bool:
        return set(lag(tracker).values()) == {0.0} and lag(notifier) == {"followthrough.notices": 0.0}
    while time.monotonic() < deadline and not caught_up():
        time.sleep(1)
    assert lag(tracker) == {"followthrough.panels": 0.0, "followthrough.recommendations": 0.0,
                            "followthrough.deliveries": 0.0}
    assert lag(notifier) == {"followthrough.notices": 0.0}
