"""Two notifiers and a mail server that takes 15 s over every message.

With the old claim (20 rows against 4 connections, each stage up to 20 s) the rows
waiting for a connection outlived the 60 s lease, and the other replica sent them
again. Now a notifier claims no more than it can start sending, the lease outlives
the longest send (SMTP_TIMEOUT x 3 stages x 1.25 = 75 s with the defaults used here),
and results are written compare-and-set on the claim."""

from __future__ import annotations

import asyncio
import collections
import time

import httpx
import sqlalchemy as sa

from devtools.catcher import RecordingHandler
from services.common.db import make_engine
from tests.integration.notifier.test_delivery import pairs, wait_for
from tests.support.notices import notice_event, publish_all

SERVER_SECONDS = 15.0


class SlowHandler(RecordingHandler):
    """Takes 15 s at the end of every message, as a server that scans mail might."""

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(SERVER_SECONDS)
        return await super().handle_DATA(server, session, envelope)


def metric(proc, name: str) -> float | None:
    for line in httpx.get(proc.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def test_two_notifiers_and_a_15_second_mail_server_send_each_email_once(services, stack, smtp, uid, topic,
                                                                        database_url):
    smtp.stop()
    smtp.handler = SlowHandler()
    smtp.start()
    # SMTP_TIMEOUT 20 s (the default) waits out the server's 15 s; the lease is left to its
    # default, the shortest safe one (75 s). 20 connections each only so that 400 emails
    # at 15 s take minutes, not the 12 that 4 would.
    env = {"SMTP_TIMEOUT": "20", "SMTP_CONNECTIONS": "20", "FOLLOWTHROUGH_AUDIT_INTERVAL": "2"}
    notifiers = [services("notifier", **env), services("notifier", **env)]
    events = [notice_event(uid) for _ in range(200)]
    expected = {(e["data"]["notice"]["id"], r) for e in events for r in e["data"]["notice"]["recipients"]}
    started = time.monotonic()
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    wait_for(smtp, len(expected), 420)
    took = time.monotonic() - started
    time.sleep(5)  # any second send of a row still in flight would land now

    messages = smtp.snapshot()
    by_id = collections.Counter(m.message_id for m in messages)
    duplicates = {mid: n for mid, n in by_id.items() if n > 1}
    counts = pairs(messages)
    stuck = [metric(p, "followthrough_stuck_deliveries") for p in notifiers]
    audited = [metric(p, "followthrough_delivery_audit_last_success_timestamp_seconds") for p in notifiers]
    with make_engine(database_url).connect() as conn:
        states = dict(conn.execute(sa.text("SELECT state, count(*) FROM notifier_deliveries GROUP BY state")).all())
    print(f"\n200 notices, {len(expected)} emails, 2 notifiers, {SERVER_SECONDS:.0f} s per message: "
          f"delivered {len(set(counts) & expected)}, duplicate Message-IDs {len(duplicates)}, "
          f"stuck {stuck}, ledger {states}, all delivered after {took:.0f} s")
    assert duplicates == {}
    assert set(counts) == expected and set(counts.values()) == {1}
    assert states == {"sent": len(expected)}
    assert stuck == [0, 0]
    assert all(a is not None and a > time.time() - 10 for a in audited), "the auditor has not run lately"
